import type { Event } from '@walletgraph/events';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { DatabaseHandle, Schema, Transaction } from './db/database.ts';
import { rowsOf } from './db/rows.ts';
import { inbox } from './db/tables.ts';
import type { Logger } from './logger.ts';

/** What a handler may do beside writing in its transaction. */
export interface HandlerContext {
  /**
   * Runs `task` once the transaction has committed, never if it rolls back: for effects that must
   * not be seen before the state they announce (a live notice to Redis). A failing task is
   * logged, never retried: the state is committed, and such notices are at-most-once anyway.
   */
  afterCommit(task: () => void | Promise<void>): void;
}

/** What a batch handler may do beside writing in its transaction. */
export interface BatchHandlerContext extends HandlerContext {
  /**
   * Leaves one event of the batch for later: its inbox row is taken out of the transaction, so
   * the rest of the batch commits while this message goes back to the broker as a transient
   * failure and is retried with the consumer's backoff (after the last retry, the dead-letter
   * queue). For a message that is early, not wrong: one whose precondition is still on its way.
   * The handler must write nothing for a deferred event.
   */
  defer(event: Event, reason: string): void;
}

/** A message a batch handler deferred: retried by the broker, like any transient failure. */
export class DeferredError extends Error {
  override name = 'DeferredError';
}

export interface InboxOutcome {
  /** Messages handled and recorded in the inbox. */
  handled: number;
  /** Messages the handler deferred, by id, with its reason: not recorded, to be retried. */
  deferred: ReadonlyMap<string, string>;
  /** Ids of the messages this transaction took in; any other was already in the inbox (a duplicate). */
  fresh: ReadonlySet<string>;
}

/**
 * Runs `handle` on the messages this consumer has not handled yet, in ONE transaction with their
 * inbox rows: a message whose row exists (a redelivery) is left out, and if the handler throws,
 * the rows roll back with everything else, so the broker's retry finds them unhandled. Messages
 * repeated within `events` are handed over once. A message the handler defers has its inbox row
 * deleted before commit, so its retry is handled afresh. Resolves with how many were handled and
 * which were deferred.
 */
export async function inInboxTransaction<S extends Schema>(
  receiver: { consumer: string; db: DatabaseHandle<S>; logger: Logger },
  events: readonly Event[],
  handle: (fresh: Event[], tx: Transaction<S>, ctx: BatchHandlerContext) => Promise<void>,
): Promise<InboxOutcome> {
  const unique = [...new Map(events.map((e) => [e.id, e])).values()];
  const tasks: Array<() => void | Promise<void>> = [];
  const deferred = new Map<string, string>();
  let freshIds: ReadonlySet<string> = new Set();
  const handled = await receiver.db.db.transaction(async (tx) => {
    const inserted = rowsOf<{ messageId: string }>(
      await tx.execute(insertInboxRows(receiver.consumer, unique)),
    );
    freshIds = new Set(inserted.map((r) => r.messageId));
    const fresh = unique.filter((e) => freshIds.has(e.id));
    if (fresh.length < events.length) {
      receiver.logger.debug({ skipped: events.length - fresh.length }, 'duplicate deliveries skipped');
    }
    if (fresh.length === 0) return 0;
    deferred.clear();
    await handle(fresh, tx as Transaction<S>, {
      afterCommit: (task) => tasks.push(task),
      defer: (event, reason) => {
        if (freshIds.has(event.id)) deferred.set(event.id, reason);
      },
    });
    if (deferred.size > 0) {
      await tx
        .delete(inbox)
        .where(and(eq(inbox.consumer, receiver.consumer), inArray(inbox.messageId, [...deferred.keys()])));
    }
    return fresh.length - deferred.size;
  });
  for (const task of tasks) {
    try {
      await task();
    } catch (err) {
      receiver.logger.warn({ err }, 'after-commit task failed');
    }
  }
  return { handled, deferred, fresh: freshIds };
}

/**
 * The inbox rows of a batch, those not there yet, returning their message ids: ONE jsonb
 * parameter, so the statement's text (one prepared statement per connection) is the same for a
 * batch of any size.
 */
function insertInboxRows(consumer: string, events: readonly Event[]): SQL {
  const messages = JSON.stringify(events.map((e) => ({ id: e.id, type: e.type })));
  return sql`insert into ${inbox} (consumer, message_id, type)
    select ${consumer}, m.id, m.type from jsonb_to_recordset(${messages}::jsonb) as m(id uuid, type text)
    on conflict do nothing
    returning message_id::text as "messageId"`;
}
