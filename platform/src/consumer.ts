import {
  bindingOf,
  type Event,
  type EventType,
  parseEvent,
  routingKeyOf,
  topicMatches,
} from '@walletgraph/events';
import {
  type BatchEventHandler,
  type BatchEventHandlers,
  type Batcher,
  type BatchOptions,
  createBatcher,
  FailedInBatch,
} from './consumer-batch.ts';
import type { HandlerContext } from './consumer-inbox.ts';
import { type ConsumerMetrics, noConsumerMetrics } from './consumer-metrics.ts';
import type { DatabaseHandle, Schema, Transaction } from './db/database.ts';
import { type Logger, traceOf, withTrace } from './logger.ts';
import { type Broker, type ConsumerHandle, type Delivery, PermanentError } from './messaging/broker.ts';
import { messagingSystem, traceConsume } from './tracing/messaging.ts';

export type { BatchEventHandler, BatchEventHandlers, BatchOptions } from './consumer-batch.ts';
export type { BatchHandlerContext, HandlerContext } from './consumer-inbox.ts';
export { DeferredError } from './consumer-inbox.ts';

/** Handles one event inside the transaction that also records it in the inbox. */
export type EventHandler<S extends Schema, T extends EventType> = (
  event: Event<T>,
  tx: Transaction<S>,
  ctx: HandlerContext,
) => Promise<void>;
/** A consumer's handlers by event type; the types present are the queue's bindings. */
export type EventHandlers<S extends Schema> = Partial<{ [T in EventType]: EventHandler<S, T> }>;

/**
 * Handles one event with no database work: its only effect is outside (a live notice to Redis)
 * and harmless to repeat.
 */
export type EffectHandler<T extends EventType> = (event: Event<T>) => Promise<void>;
export type EffectHandlers = Partial<{ [T in EventType]: EffectHandler<T> }>;

/**
 * Per event type, the topics a consumer acts on: patterns over the words its routing key adds
 * to the type (`routingKeyOf`; `*` one word, `#` any), e.g. `['*.jars']` for ledger entries
 * that move a jar's money. A type not named here is taken whatever its topic.
 */
export type EventTopics = Partial<{ [T in EventType]: readonly string[] }>;

export interface ConsumerOptions<S extends Schema> {
  /** Consumer name: its queue, retry queues, dead-letter queue and inbox rows are keyed by it. */
  name: string;
  db: DatabaseHandle<S>;
  broker: Broker;
  logger: Logger;
  /** Handlers of one event per transaction. */
  handlers?: EventHandlers<S>;
  /** Handlers of many events of a type per transaction (a type has one kind of handler or the other). */
  batchHandlers?: BatchEventHandlers<S>;
  /**
   * Handlers with no database work, run with no transaction and no inbox row: a redelivery
   * repeats the effect, which must be harmless (a live notice: subscribers re-read the state).
   */
  effectHandlers?: EffectHandlers;
  /**
   * The topics this consumer acts on, per type (the rest of a type's events are not its
   * business: a transfer's ledger entry for the jars' projection). The queue is bound to these
   * alone, so the broker never delivers the rest; one that still arrives (a binding left from
   * before) is acknowledged at once, with no transaction and no inbox row.
   */
  topics?: EventTopics;
  batch?: BatchOptions;
  /** Messages handled concurrently (CONSUMER_PREFETCH). Default 32. */
  prefetch?: number;
  /** Delay before each retry; the length is the number of retries (CONSUMER_RETRY_DELAYS_MS). Default 1 s, 5 s, 30 s, 2 min. */
  retryDelaysMs?: readonly number[];
  /** Where the consumer counts and times its deliveries (consumer-metrics.ts). Default: nowhere. */
  metrics?: ConsumerMetrics;
}

type BatchHandlerOf<S extends Schema> = BatchEventHandler<S, EventType> | undefined;

export interface Consumer {
  /** Declares the consumer's queues and starts handling messages. */
  start(): Promise<void>;
  /** Stops taking messages and waits for those in flight. */
  stop(): Promise<void>;
}

/**
 * The binding keys of a consumer's queue, by type: each type it handles, narrowed to its
 * `topics` (every topic when none). Broker permissions must cover them (docs/security.md).
 */
export function bindingsOf<S extends Schema>(
  options: Pick<ConsumerOptions<S>, 'handlers' | 'batchHandlers' | 'effectHandlers' | 'topics'>,
): Map<EventType, string[]> {
  const bindings = new Map<EventType, string[]>();
  for (const handlers of [options.handlers, options.batchHandlers, options.effectHandlers]) {
    for (const [key, handler] of Object.entries(handlers ?? {})) {
      const type = key as EventType;
      if (handler)
        bindings.set(
          type,
          (options.topics?.[type] ?? ['#']).map((pattern) => bindingOf(type, pattern)),
        );
    }
  }
  return bindings;
}

/**
 * The one consumer loop of the platform. Each delivery is parsed and validated against its
 * contract (a malformed message is a PermanentError: straight to the dead-letter queue, never
 * retried); then the inbox insert and the handler run in one transaction, so a redelivered
 * message finds its inbox row and is skipped, and a handler that fails leaves no trace and is
 * retried by the broker. The handler runs in the message's trace context, so its logs and the
 * events it emits (`causedBy`) carry the correlation id.
 *
 * Deliveries share transactions (group commit, see `createBatcher`): the one-event handlers of a
 * consumer run one after another in the transaction of their batch, and a type with a batch
 * handler gets its events of a batch at once. A batch that fails is retried message by message.
 */
export function createConsumer<S extends Schema>(options: ConsumerOptions<S>): Consumer {
  const log = options.logger.child({ consumer: options.name });
  const handlers: EventHandlers<S> = options.handlers ?? {};
  const prefetch = options.prefetch ?? 32;
  const batchers = new Map<EventType, Batcher>();
  const size = Math.min(options.batch?.size ?? prefetch, prefetch);
  const batching = { consumer: options.name, db: options.db, size, lingerMs: options.batch?.lingerMs };
  for (const [type, handler] of Object.entries(options.batchHandlers ?? {}) as [
    EventType,
    BatchHandlerOf<S>,
  ][]) {
    if (!handler) continue;
    if (handlers[type])
      throw new Error(`consumer ${options.name}: ${type} has a handler and a batch handler`);
    const logger = log.child({ batch: type });
    batchers.set(type, createBatcher({ ...batching, ordered: options.batch?.ordered, logger, handler }));
  }
  const singles = (Object.keys(handlers) as EventType[]).filter((type) => handlers[type]);
  // One-event handlers share transactions too (group commit): each event of a batch goes to its
  // own handler, in its own trace context, inside the batch's one transaction.
  const shared = createBatcher({
    ...batching,
    logger: log,
    async handler(events, tx, ctx) {
      for (const event of events) {
        const handler = handlers[event.type] as EventHandler<S, EventType>;
        try {
          await withTrace(traceOf(event), () => handler(event, tx, ctx));
        } catch (error) {
          throw new FailedInBatch(event, error);
        }
      }
    },
  });
  for (const type of singles) batchers.set(type, shared);
  const effects: EffectHandlers = options.effectHandlers ?? {};
  for (const type of Object.keys(effects) as EventType[]) {
    if (batchers.has(type)) throw new Error(`consumer ${options.name}: ${type} has two kinds of handler`);
  }
  const bindings = bindingsOf(options);
  const routingKeys = [...bindings.values()].flat();
  let handle: ConsumerHandle | null = null;
  const metrics = options.metrics ?? noConsumerMetrics;

  /**
   * One delivery, in a consumer span continuing its envelope's trace, counted and timed;
   * failures are counted where the broker routes them (`onFailure`).
   */
  async function onDelivery(delivery: Delivery): Promise<void> {
    const started = performance.now();
    try {
      const event = decode(delivery);
      const system = messagingSystem(options.broker.kind);
      const result = await traceConsume(system, options.name, event, async () => route(event));
      metrics.count(result ?? 'handled');
    } finally {
      metrics.handled((performance.now() - started) / 1000);
    }
  }

  /** Hands the event to its handler; settles with whether the inbox had seen it (undefined: not ours, acknowledged). */
  function route(event: Event): Promise<'handled' | 'duplicate'> | undefined {
    const key = routingKeyOf(event);
    if (!bindings.get(event.type)?.some((binding) => topicMatches(binding, key))) {
      // Bound by an old binding or someone else's wildcard: nothing to do, and nothing to retry.
      log.info({ id: event.id, type: event.type, routingKey: key }, 'not bound to this event; acknowledged');
      return undefined;
    }
    const batcher = batchers.get(event.type);
    if (batcher) return batcher.add(event);
    const effect = effects[event.type] as EffectHandler<EventType> | undefined;
    if (effect) return withTrace(traceOf(event), () => effect(event)).then(() => 'handled' as const);
    throw new Error(`consumer ${options.name}: no handler for ${event.type}`);
  }

  return {
    async start() {
      if (handle) return;
      handle = await options.broker.consume({
        name: options.name,
        routingKeys,
        prefetch,
        retryDelaysMs: options.retryDelaysMs ?? [1000, 5000, 30_000, 120_000],
        handle: onDelivery,
        onFailure: (result) => metrics.count(result),
      });
      log.info({ routingKeys }, 'consumer started');
    },
    async stop() {
      const h = handle;
      handle = null;
      await h?.stop();
    },
  };
}

/** The delivery's envelope, validated; anything else can never succeed, so it is permanent. */
function decode(delivery: Delivery): Event {
  let raw: unknown;
  try {
    raw = JSON.parse(delivery.body);
  } catch (error) {
    throw new PermanentError(`message ${delivery.id || '(no id)'} is not JSON`, { cause: error });
  }
  try {
    return parseEvent(raw);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new PermanentError(`message ${delivery.id || '(no id)'} breaks its contract: ${detail}`, {
      cause: error,
    });
  }
}
