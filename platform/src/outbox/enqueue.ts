import { type Event, parseEvent } from '@walletgraph/events';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { rowsOf } from '../db/rows.ts';
import { outbox } from '../db/tables.ts';
import { inActiveTrace } from '../tracing/messaging.ts';

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
 * Inserts rows and, for each row that was inserted, the events that announce it, with the
 * relay's NOTIFY: ONE statement, so it is atomic without a transaction of its own and costs one
 * round trip where BEGIN, two inserts and COMMIT cost four. `insert` is the rows'
 * `insert … on conflict do nothing returning id` statement (a row it skips announces nothing);
 * each announcement names the id of the row its events announce.
 * Resolves the ids of the rows inserted.
 */
export async function insertAnnounced(
  db: Executor,
  insert: SQL,
  announcements: readonly { rowId: string; events: Event | readonly Event[] }[],
): Promise<Set<string>> {
  const rows = announcements.flatMap(({ rowId, events }) =>
    outboxRows(events).map((row) => ({ ...row, rowId })),
  );
  const result = await db.execute(sql`
    with inserted as (${insert}),
    announced as (${insertRows(rows, sql`e.row_id in (select id from inserted)`)} returning 1)
    select (select coalesce(json_agg(id), '[]'::json) from inserted) as ids,
      (select pg_notify(${OUTBOX_CHANNEL}, '') from announced limit 1) is not null as notified`);
  return new Set(rowsOf<{ ids: string[] }>(result)[0]?.ids ?? []);
}

/** The outbox rows of events, each validated once more. */
function outboxRows(events: Event | readonly Event[]): OutboxRow[] {
  const list: readonly Event[] = isEventList(events) ? events : [events];
  // createEvent already validated each payload; a second check is cheap and catches envelopes
  // built or mutated by hand before they become a message every consumer would dead-letter.
  return list.map((event) => {
    const valid = parseEvent(event);
    return { id: valid.id, type: valid.type, envelope: inActiveTrace(valid) };
  });
}

interface OutboxRow {
  id: string;
  type: string;
  envelope: Event;
  /** The row the event announces, for `insertAnnounced`. */
  rowId?: string;
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
    from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as (id uuid, type text, envelope jsonb, "rowId" uuid))
      with ordinality as e(id, type, envelope, row_id, n)
    where ${when}
    order by e.n`;
}

function isEventList(events: Event | readonly Event[]): events is readonly Event[] {
  return Array.isArray(events);
}
