import { type Event, routingKeyOf } from '@walletgraph/events';

/**
 * The message transport under the outbox relay and the consumers. Two implementations keep one
 * contract: RabbitMQ (real mode) and an in-process bus (embedded mode). The contract:
 * - publish resolves only once the broker has taken responsibility for every message;
 * - delivery is at least once; a consumer sees a message again after a crash before its ack;
 * - a handler that throws is retried after each delay in `retryDelaysMs`, on that consumer only;
 *   after the last retry, or at once for a PermanentError, the message goes to the consumer's
 *   dead-letter queue, and later messages keep flowing meanwhile.
 */
export interface OutgoingMessage {
  /** Envelope id; the AMQP message id and the inbox key. */
  id: string;
  /** Event type. */
  type: string;
  /** The type, then its topic's words (`routingKeyOf`): what queues are bound to. */
  routingKey: string;
  correlationId: string;
  /** The envelope's W3C trace context, the parent of the publish's span (docs/tracing.md). */
  traceparent?: string | null;
  /** The serialised envelope (JSON). */
  body: string;
}

/** The message that carries an event: the one way an envelope becomes something to publish. */
export function eventMessage(event: Event): OutgoingMessage {
  return {
    id: event.id,
    type: event.type,
    routingKey: routingKeyOf(event),
    correlationId: event.correlationId,
    traceparent: event.traceparent,
    body: JSON.stringify(event),
  };
}

export interface Delivery {
  id: string;
  type: string;
  body: string;
  /** 1 on first delivery, then 2, 3, … on each retry. */
  attempt: number;
}

export interface ConsumerSpec {
  /** Consumer name: its queue, retry queues and dead-letter queue are named after it. */
  name: string;
  /** Bindings of the consumer's queue: routing-key patterns (`bindingOf`). */
  routingKeys: readonly string[];
  /** Messages in flight at once for this consumer. */
  prefetch: number;
  /** Delay before each retry; the array's length is the number of retries. */
  retryDelaysMs: readonly number[];
  /** Handles one delivery. Throw to retry; throw PermanentError to dead-letter at once. */
  handle(delivery: Delivery): Promise<void>;
  /** Told where a failed delivery went: a retry queue, or the dead-letter queue (for metrics). */
  onFailure?(result: 'retried' | 'dead_lettered'): void;
}

export interface ConsumerHandle {
  /** Stops taking messages and waits for those in flight to finish. */
  stop(): Promise<void>;
}

export interface Broker {
  readonly kind: 'amqp' | 'in-process';
  publish(messages: readonly OutgoingMessage[]): Promise<void>;
  consume(spec: ConsumerSpec): Promise<ConsumerHandle>;
  /**
   * Removes the queues of a consumer that no longer exists (its dead letters stay while there
   * are any); nothing when it has none. Resolves how many dead letters were kept.
   */
  retireConsumer(name: string, retryDelaysMs: readonly number[]): Promise<number>;
  /**
   * Messages ready in a consumer's main and dead-letter queues, where the broker keeps real
   * queues (RabbitMQ); absent on the in-process bus. For metrics sampled on scrape.
   */
  queueDepths?(consumer: string): Promise<{ main: number; deadLetter: number }>;
  /** Throws when the broker is unreachable; for readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A failure that retrying cannot fix (a malformed or contract-breaking message): dead-letter it. */
export class PermanentError extends Error {
  override name = 'PermanentError';
}
