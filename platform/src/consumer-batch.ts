import type { Event, EventType } from '@walletgraph/events';
import { type BatchHandlerContext, DeferredError, inInboxTransaction } from './consumer-inbox.ts';
import type { DatabaseHandle, Schema, Transaction } from './db/database.ts';
import { groupCommit } from './group-commit.ts';
import { type Logger, traceOf, withTrace } from './logger.ts';

/**
 * Handles a batch of events of one type in ONE transaction (which also records them in the
 * inbox), so the commit is shared. Business refusals are results the handler writes, never
 * throws: a throw fails the whole batch, whose messages are then retried one by one. An event
 * that cannot be decided YET (its precondition is still on its way) is deferred with
 * `ctx.defer`: the rest commits, and that one message is retried with the broker's backoff.
 */
export type BatchEventHandler<S extends Schema, T extends EventType> = (
  events: readonly Event<T>[],
  tx: Transaction<S>,
  ctx: BatchHandlerContext,
) => Promise<void>;
export type BatchEventHandlers<S extends Schema> = Partial<{ [T in EventType]: BatchEventHandler<S, T> }>;

export interface BatchOptions {
  /** Most messages per transaction. Default (and at most) the consumer's prefetch. */
  size?: number;
  /**
   * How long the first message of a batch waits for company. Default: no fixed wait, group
   * commit instead (see `createBatcher`).
   */
  lingerMs?: number;
  /**
   * Group commit one batch at a time: a batch starts only once the one before it committed, so
   * messages delivered in order are handled in order (the ledger decides commands in the order
   * the relay published them). Default false: up to `MAX_COMMITTING` batches at once.
   */
  ordered?: boolean;
}

export interface BatcherOptions<S extends Schema> {
  consumer: string;
  db: DatabaseHandle<S>;
  logger: Logger;
  handler: BatchEventHandler<S, EventType>;
  size: number;
  /** Undefined: group commit. */
  lingerMs?: number;
  ordered?: boolean;
}

/**
 * Collects deliveries into batches; `add` settles when the message's batch has committed (or
 * failed), resolving `duplicate` when the inbox already held the message.
 */
export interface Batcher {
  add(event: Event): Promise<'handled' | 'duplicate'>;
}

/**
 * Thrown by a batch handler that knows which event of the batch failed: that message alone is
 * failed (and retried by the broker) with `cause`, and the rest of the batch is tried again
 * together, without it.
 */
export class FailedInBatch extends Error {
  override name = 'FailedInBatch';
  readonly event: Event;
  constructor(event: Event, cause: unknown) {
    super(`event ${event.id} failed in its batch`, { cause });
    this.event = event;
  }
}

const causeOf = (error: unknown) => (error instanceof FailedInBatch ? error.cause : error);

/** Batches one batcher commits at once, in group-commit mode, before arrivals wait for the next. */
const MAX_COMMITTING = 4;

interface Pending {
  event: Event;
  resolve(result: 'handled' | 'duplicate'): void;
  reject(error: unknown): void;
}

/**
 * The batching half of the consumer loop. The broker hands over up to `prefetch` deliveries at
 * once and each one's `handle()` stays open here until its batch is settled, so acks (and
 * retries, and dead-lettering) stay per message. Batches close by the group-commit policy
 * (`groupCommit`): with no `lingerMs`, a lone message goes at once and under load everything
 * that arrives while up to `MAX_COMMITTING` batches commit shares the next one. More than one
 * may commit at once, so one slow batch (a poison message's retries) does not hold up the
 * messages behind it; full batches may overlap others, so a handler must lock in a fixed order.
 *
 * A batch whose transaction throws is replayed message by message, each in its own transaction:
 * one poison message then fails alone (and goes through the broker's retries to the DLQ) while
 * its neighbours commit.
 */
export function createBatcher<S extends Schema>(options: BatcherOptions<S>): Batcher {
  const run = (events: readonly Event[]) => inInboxTransaction(options, events, options.handler);
  const batches = groupCommit<Pending>({
    size: options.size,
    concurrency: options.ordered ? 1 : MAX_COMMITTING,
    lingerMs: options.lingerMs,
    commit: settle,
  });

  async function settle(batch: Pending[]): Promise<void> {
    try {
      const { handled, deferred, fresh } = await run(batch.map((p) => p.event));
      options.logger.debug({ size: batch.length, handled, deferred: deferred.size }, 'batch committed');
      for (const p of batch) settleOne(p, deferred, fresh);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(causeOf(error));
        return;
      }
      // The handler named the event that failed: it alone fails, the rest try again together.
      const culprit = error instanceof FailedInBatch && batch.find((p) => p.event.id === error.event.id);
      if (culprit) {
        culprit.reject(causeOf(error));
        return settle(batch.filter((p) => p !== culprit));
      }
      options.logger.warn(
        { err: error, size: batch.length },
        'batch failed; retrying its messages one by one',
      );
    }
    for (const p of batch) {
      try {
        const { deferred, fresh } = await withTrace(traceOf(p.event), () => run([p.event]));
        settleOne(p, deferred, fresh);
      } catch (error) {
        p.reject(causeOf(error));
      }
    }
  }

  /** Resolves a committed message, or rejects a deferred one so the broker retries it. */
  function settleOne(p: Pending, deferred: ReadonlyMap<string, string>, fresh: ReadonlySet<string>): void {
    const reason = deferred.get(p.event.id);
    if (reason === undefined) {
      p.resolve(fresh.has(p.event.id) ? 'handled' : 'duplicate');
      return;
    }
    options.logger.info({ id: p.event.id, type: p.event.type, reason }, 'message deferred; retried later');
    p.reject(new DeferredError(`message ${p.event.id} deferred: ${reason}`));
  }

  return {
    add(event) {
      const { promise, resolve, reject } = Promise.withResolvers<'handled' | 'duplicate'>();
      batches.add({ event, resolve, reject });
      return promise;
    },
  };
}
