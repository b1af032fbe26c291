import type { Event } from '@walletgraph/events';
import { asc, isNull, sql } from 'drizzle-orm';
import type { Database, DatabaseHandle, Lease, Schema } from '../db/database.ts';
import { outbox } from '../db/tables.ts';
import type { Logger } from '../logger.ts';
import { type Broker, eventMessage, type OutgoingMessage } from '../messaging/broker.ts';
import { OUTBOX_CHANNEL } from './enqueue.ts';
import type { RelayMetrics } from './metrics.ts';
import { pruneOutbox } from './prune.ts';
import { createSleeper, type Sleeper } from './sleeper.ts';

export interface OutboxRelayOptions<S extends Schema> {
  db: DatabaseHandle<S>;
  broker: Broker;
  logger: Logger;
  /** Subgraph name: the leader lock is `outbox-relay:<name>`. */
  name: string;
  /** Rows per round (OUTBOX_BATCH_SIZE). Default 200. */
  batchSize?: number;
  /** Polling fallback, and how often a standby tries to take over (OUTBOX_POLL_MS). Default 1000. */
  pollIntervalMs?: number;
  /** Pause after a round that published, so the commits meanwhile share the next round. Default 3 ms. */
  lingerMs?: number;
  /** Longest pause between rounds while the broker or database keeps failing. Default 30 s. */
  maxBackoffMs?: number;
  /** Published rows older than this are deleted. Default 7 days. */
  retentionMs?: number;
  /** How often the leader prunes. Default 5 minutes. */
  pruneIntervalMs?: number;
  /** Where the relay records what it published and whether it leads (outbox/metrics.ts). */
  metrics?: RelayMetrics;
}

export interface OutboxRelay {
  /** Starts competing for leadership and, once leader, publishing. Idempotent. */
  start(): void;
  /** Finishes the current round, releases leadership and stops listening. */
  stop(): Promise<void>;
}

/**
 * Publishes committed outbox rows, in `seq` order, one active relay per subgraph (an advisory
 * lock; standbys retry every poll interval and take over when the leader's lease is lost).
 * The leader wakes on the NOTIFY that `enqueue` queues at commit, and polls as a fallback
 * because notifications are lost while the listening connection is down. Each round selects
 * unpublished rows (never "seq > last published": a lower seq can commit after a higher one),
 * waits for the broker's confirms, and only then marks exactly those rows published. A crash
 * between the two republishes the batch: duplicates are possible, loss is not; consumers'
 * inboxes absorb the duplicates.
 */
export function createOutboxRelay<S extends Schema>(options: OutboxRelayOptions<S>): OutboxRelay {
  const log = options.logger.child({ component: 'outbox-relay', relay: options.name });
  const batchSize = options.batchSize ?? 200;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const lingerMs = options.lingerMs ?? 3;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;
  const pruneIntervalMs = options.pruneIntervalMs ?? 5 * 60 * 1000;
  const lockName = `outbox-relay:${options.name}`;
  let running: Promise<void> | null = null;
  let sleeper: Sleeper | null = null;
  let stopping = false;

  async function run(s: Sleeper): Promise<void> {
    while (!stopping) {
      const lease = await options.db.tryLock(lockName).catch((err: unknown) => {
        log.warn({ err }, 'could not try the relay lock');
        return null;
      });
      if (!lease) {
        await s.sleep(pollIntervalMs, { wakeable: false });
        continue;
      }
      log.info('relay is leader');
      options.metrics?.leader(true);
      try {
        await lead(s, lease);
      } finally {
        options.metrics?.leader(false);
        await lease.release().catch((err: unknown) => log.warn({ err }, 'could not release the relay lock'));
      }
    }
  }

  async function lead(s: Sleeper, lease: Lease): Promise<void> {
    let lost = false;
    void lease.lost.then(() => {
      lost = true;
      log.warn('relay lost its lock; standing down');
      s.wake();
    });
    const unlisten = await options.db
      .listen(OUTBOX_CHANNEL, () => s.wake())
      .catch((err: unknown) => {
        log.warn({ err }, 'could not listen for outbox notifications; polling only');
        return null;
      });
    let failures = 0;
    let lastPrune = 0;
    try {
      while (!stopping && !lost) {
        let published = 0;
        try {
          published = await round(() => lost);
          failures = 0;
        } catch (err) {
          failures++;
          log.warn({ err, failures }, 'outbox round failed; retrying');
        }
        if (failures > 0) {
          // Not wakeable: during an outage every commit would otherwise trigger a doomed round.
          await s.sleep(Math.min(pollIntervalMs * 2 ** (failures - 1), maxBackoffMs), { wakeable: false });
          continue;
        }
        if (Date.now() - lastPrune >= pruneIntervalMs) {
          lastPrune = Date.now();
          await prune();
        }
        if (published === batchSize) continue;
        // Group commit for publishing: after a round that published, the commits of the next
        // few milliseconds share one round (one select, one confirm wait, one update) instead
        // of a round each. A quiet relay sleeps until woken and starts its round at once.
        if (published > 0) await s.sleep(lingerMs, { wakeable: false });
        await s.sleep(pollIntervalMs);
      }
    } finally {
      await unlisten?.().catch((err: unknown) => log.warn({ err }, 'could not unlisten'));
    }
  }

  const unpublished = options.db.db
    .select({ seq: outbox.seq, id: outbox.id, type: outbox.type, envelope: outbox.envelope })
    .from(outbox)
    .where(isNull(outbox.publishedAt))
    .orderBy(asc(outbox.seq))
    .limit(batchSize)
    .prepare('outbox_unpublished');

  /** One batch; resolves how many rows it published (a full batch: more are probably waiting). */
  async function round(isLost: () => boolean): Promise<number> {
    const rows = await unpublished.execute();
    if (rows.length === 0 || isLost()) return 0;
    const sent = performance.now();
    await options.broker.publish(rows.map(toMessage));
    options.metrics?.confirmed(rows.length, (performance.now() - sent) / 1000);
    await markPublished(
      options.db.db,
      rows.map((r) => r.seq),
    );
    log.debug({ count: rows.length, lastSeq: String(rows.at(-1)?.seq) }, 'published outbox rows');
    return rows.length;
  }

  async function prune(): Promise<void> {
    try {
      const count = await pruneOutbox(options.db.db, retentionMs);
      if (count > 0) log.info({ count }, 'pruned published outbox rows');
    } catch (err) {
      log.warn({ err }, 'could not prune the outbox');
    }
  }

  return {
    start() {
      if (running) return;
      stopping = false;
      const s = createSleeper();
      sleeper = s;
      running = run(s).catch((err: unknown) => log.error({ err }, 'outbox relay crashed'));
    },
    async stop() {
      stopping = true;
      sleeper?.interrupt();
      await running;
      running = null;
      sleeper = null;
    },
  };
}

/**
 * Marks rows published. The seqs go as one parameter: one statement text (one prepared
 * statement) for any batch size. The mark commits without waiting for its WAL flush
 * (`synchronous_commit` off, local to this one statement's transaction, so nothing else on
 * the connection is affected): a mark lost in a database crash only republishes its rows,
 * which the consumers' inboxes absorb, so a round need not wait for a flush. Never inside a
 * transaction: the setting would relax the whole of it.
 */
export async function markPublished(db: Database, seqs: readonly bigint[]): Promise<void> {
  await db.execute(sql`
    with relaxed as (select set_config('synchronous_commit', 'off', true))
    update ${outbox} set published_at = now()
    from relaxed
    where seq = any(string_to_array(${seqs.join(',')}, ',')::bigint[])`);
}

function toMessage(row: { envelope: unknown }): OutgoingMessage {
  // Validated when it was enqueued; read back from jsonb as the object it was.
  return eventMessage(row.envelope as Event);
}
