import { type Event, parseEvent } from '@walletgraph/events';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { rowsOf } from '../db/rows.ts';
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
  const rows = outboxRows(events);
  if (rows.length === 0) return;
  // One statement, one round trip: the rows, and the NOTIFY queued with them.
  await tx.execute(sql`
    with inserted as (${insertRows(rows)} returning 1)
    select pg_notify(${OUTBOX_CHANNEL}, '') from (select 1 from inserted limit 1) as written`);
}

/**
 * Inserts one row and, only if it was inserted, the events that announce it, with the relay's
 * NOTIFY: ONE statement, so it is atomic without a transaction of its own and costs one round
 * trip where BEGIN, two inserts and COMMIT cost four. `insert` is the row's
 * `insert … on conflict do nothing returning …` statement (nothing returned: not inserted, no
 * events).
 * Resolves whether the row was inserted.
 */
export async function insertAnnounced(
  db: Executor,
  insert: SQL,
  events: Event | readonly Event[],
): Promise<boolean> {
  const result = await db.execute(sql`
    with inserted as (${insert}),
    announced as (${insertRows(outboxRows(events), sql`exists (select 1 from inserted)`)} returning 1)
    select exists (select 1 from inserted) as inserted,
      (select pg_notify(${OUTBOX_CHANNEL}, '') from announced limit 1) is not null as notified`);
  return rowsOf<{ inserted: boolean }>(result)[0]?.inserted === true;
}

/** The outbox rows of events, each validated once more. */
function outboxRows(events: Event | readonly Event[]): OutboxRow[] {
  const list: readonly Event[] = isEventList(events) ? events : [events];
  // createEvent already validated each payload; a second check is cheap and catches envelopes
  // built or mutated by hand before they become a message every consumer would dead-letter.
  return list.map((event) => {
    const valid = parseEvent(event);
    return { id: valid.id, type: valid.type, envelope: valid };
  });
}

interface OutboxRow {
  id: string;
  type: string;
  envelope: Event;
}

/**
 * `insert into outbox … select …` of the rows (those for which `when` holds), in their order,
 * handed to Postgres as ONE jsonb parameter: the statement's text is the same however many
 * events there are, so it stays one prepared statement per connection, and drizzle builds a few
 * fragments instead of a list of values.
 */
function insertRows(rows: readonly OutboxRow[], when: SQL = sql`true`): SQL {
  return sql`insert into ${outbox} (id, type, envelope)
    select e.id, e.type, e.envelope
    from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as (id uuid, type text, envelope jsonb))
      with ordinality as e(id, type, envelope, n)
    where ${when}
    order by e.n`;
}

function isEventList(events: Event | readonly Event[]): events is readonly Event[] {
  return Array.isArray(events);
}
