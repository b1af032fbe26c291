import type { Event, EventType } from '@walletgraph/events';
import { type BatchHandlerContext, DeferredError, inInboxTransaction } from './consumer-inbox.ts';
import type { DatabaseHandle, Schema, Transaction } from './db/database.ts';
import { type Logger, withTrace } from './logger.ts';

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
  /** How long the first message of a batch waits for company. Default 5 ms. */
  lingerMs?: number;
}

export interface BatcherOptions<S extends Schema> {
  consumer: string;
  db: DatabaseHandle<S>;
  logger: Logger;
  handler: BatchEventHandler<S, EventType>;
  size: number;
  lingerMs: number;
}

/** Collects deliveries into batches; `add` settles when the message's batch has committed (or failed). */
export interface Batcher {
  add(event: Event): Promise<void>;
}

interface Pending {
  event: Event;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * The batching half of the consumer loop. The broker hands over up to `prefetch` deliveries at
 * once and each one's `handle()` stays open here until its batch is settled, so acks (and
 * retries, and dead-lettering) stay per message. A batch closes when it is full or `lingerMs`
 * after its first message; batches may overlap, so a handler must lock in a fixed order.
 *
 * A batch whose transaction throws is replayed message by message, each in its own transaction:
 * one poison message then fails alone (and goes through the broker's retries to the DLQ) while
 * its neighbours commit.
 */
export function createBatcher<S extends Schema>(o: BatcherOptions<S>): Batcher {
  let pending: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;

  const run = (events: readonly Event[]) => inInboxTransaction(o, events, o.handler);

  function flush(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    const batch = pending;
    pending = [];
    if (batch.length > 0) void settle(batch);
  }

  async function settle(batch: Pending[]): Promise<void> {
    try {
      const { handled, deferred } = await run(batch.map((p) => p.event));
      o.logger.debug({ size: batch.length, handled, deferred: deferred.size }, 'batch committed');
      for (const p of batch) settleOne(p, deferred);
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      o.logger.warn({ err: error, size: batch.length }, 'batch failed; retrying its messages one by one');
    }
    for (const p of batch) {
      const { event } = p;
      const trace = {
        correlationId: event.correlationId,
        causationId: event.id,
        traceparent: event.traceparent,
      };
      try {
        const { deferred } = await withTrace(trace, () => run([event]));
        settleOne(p, deferred);
      } catch (error) {
        p.reject(error);
      }
    }
  }

  /** Resolves a committed message, or rejects a deferred one so the broker retries it. */
  function settleOne(p: Pending, deferred: ReadonlyMap<string, string>): void {
    const reason = deferred.get(p.event.id);
    if (reason === undefined) {
      p.resolve();
      return;
    }
    o.logger.info({ id: p.event.id, type: p.event.type, reason }, 'message deferred; retried later');
    p.reject(new DeferredError(`message ${p.event.id} deferred: ${reason}`));
  }

  return {
    add(event) {
      const { promise, resolve, reject } = Promise.withResolvers<void>();
      pending.push({ event, resolve, reject });
      if (pending.length >= o.size) flush();
      else timer ??= setTimeout(flush, o.lingerMs);
      return promise;
    },
  };
}
