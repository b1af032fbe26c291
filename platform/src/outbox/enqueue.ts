import { type Event, parseEvent } from '@walletgraph/events';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { outbox } from '../db/tables.ts';

/** The NOTIFY channel that wakes the outbox relay. */
export const OUTBOX_CHANNEL = 'outbox';

/**
 * Records events in the outbox inside the caller's transaction, so they are published if and
 * only if the state change they announce commits. The NOTIFY is queued in the same
 * transaction: Postgres delivers it at commit and drops it on rollback, which wakes the relay
 * exactly when there is something to publish.
 */
export async function enqueue(tx: Executor, events: Event | readonly Event[]): Promise<void> {
  const list: readonly Event[] = isEventList(events) ? events : [events];
  if (list.length === 0) return;
  // createEvent already validated each payload; a second check is cheap and catches envelopes
  // built or mutated by hand before they become a message every consumer would dead-letter.
  const rows = list.map((event) => {
    const valid = parseEvent(event);
    return { id: valid.id, type: valid.type, envelope: valid };
  });
  await tx.insert(outbox).values(rows);
  await tx.execute(sql`select pg_notify(${OUTBOX_CHANNEL}, '')`);
}

function isEventList(events: Event | readonly Event[]): events is readonly Event[] {
  return Array.isArray(events);
}
