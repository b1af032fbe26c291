import { sql } from 'drizzle-orm';
import type { DatabaseHandle } from '../db/database.ts';
import { rowsOf } from '../db/rows.ts';
import { outbox } from '../db/tables.ts';
import type { Metrics } from '../metrics.ts';

/** What the outbox relay records; its label children are fixed, so each call is one update. */
export interface RelayMetrics {
  /** A round's messages, confirmed by the broker after `seconds`. */
  confirmed(messages: number, seconds: number): void;
  /** Whether this replica's relay holds the leader lock now. */
  leader(held: boolean): void;
}

/** The relay metrics of one subgraph (`walletgraph_relay_*`). */
export function relayMetrics(metrics: Metrics, subgraph: string): RelayMetrics {
  const published = metrics
    .counter({
      name: 'walletgraph_relay_published_total',
      help: 'Outbox messages the relay published and the broker confirmed.',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  const confirm = metrics
    .histogram({
      name: 'walletgraph_relay_confirm_duration_seconds',
      help: 'Time from publishing a relay round to the broker confirming all of it.',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  const leader = metrics
    .gauge({
      name: 'walletgraph_relay_leader',
      help: '1 while this replica’s outbox relay holds the leader lock, else 0.',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  leader.set(0);
  return {
    confirmed(messages, seconds) {
      published.inc(messages);
      confirm.observe(seconds);
    },
    leader(held) {
      leader.set(held ? 1 : 0);
    },
  };
}

/**
 * Samples the outbox's backlog on each scrape (never on the write path): unpublished rows and
 * the age of the oldest (0 when none). One statement over the partial index of unpublished rows.
 * Returns the way to stop sampling, for when the subgraph stops (its database closes).
 */
export function sampleOutboxBacklog(metrics: Metrics, subgraph: string, db: DatabaseHandle): () => void {
  const rows = metrics
    .gauge({
      name: 'walletgraph_outbox_backlog_rows',
      help: 'Outbox rows not yet published (sampled on scrape).',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  const age = metrics
    .gauge({
      name: 'walletgraph_outbox_oldest_unpublished_age_seconds',
      help: 'Age of the oldest unpublished outbox row, 0 when there is none (sampled on scrape).',
      labelNames: ['subgraph'],
    })
    .labels({ subgraph });
  return metrics.sampleOnScrape(async () => {
    const result = await db.db.execute(sql`
      select count(*)::int as rows,
        coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as age
      from ${outbox} where published_at is null`);
    const [row] = rowsOf<{ rows: number; age: number }>(result);
    rows.set(Number(row?.rows ?? 0));
    age.set(Math.max(0, Number(row?.age ?? 0)));
  });
}
