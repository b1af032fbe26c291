import { topicMatches } from '@walletgraph/events';
import type { Logger } from '../logger.ts';
import {
  type Broker,
  type ConsumerHandle,
  type ConsumerSpec,
  type Delivery,
  type OutgoingMessage,
  PermanentError,
} from './broker.ts';

/** A message that exhausted its retries or failed permanently, kept for inspection. */
export interface DeadLetter {
  delivery: Delivery;
  reason: 'permanent' | 'retries-exhausted';
  error: string;
}

export interface InProcessBroker extends Broker {
  readonly kind: 'in-process';
  /** The consumer's dead-letter queue, oldest first. */
  deadLetters(consumer: string): readonly DeadLetter[];
  /** Moves up to `limit` dead letters back to the consumer's queue with a fresh set of retries. */
  replayDeadLetters(consumer: string, options?: { limit?: number }): number;
}

export interface InProcessBrokerOptions {
  logger: Logger;
}

/** A consumer's queue: like a durable queue it outlives stop(), and a later consume() with the same name resumes it. */
interface Queue {
  name: string;
  bindings: string[];
  buffer: Delivery[];
  deadLetters: DeadLetter[];
  spec: ConsumerSpec | null;
  active: number;
  inFlight: Set<Promise<void>>;
}

/**
 * The Broker contract in memory, for embedded mode (one process, no RabbitMQ): topic routing
 * with `*` and `#`, a FIFO queue per consumer worked at `prefetch` concurrency, retries after
 * each delay on that consumer only, and a dead-letter list per consumer. A message leaves its
 * queue only when its handler has settled. Nothing survives the process, which embedded mode
 * accepts: its outbox rows are the durable record.
 */
export function createInProcessBroker(options: InProcessBrokerOptions): InProcessBroker {
  const log = options.logger.child({ component: 'in-process-broker' });
  const queues = new Map<string, Queue>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  function queueFor(name: string): Queue {
    let q = queues.get(name);
    if (!q) {
      q = { name, bindings: [], buffer: [], deadLetters: [], spec: null, active: 0, inFlight: new Set() };
      queues.set(name, q);
    }
    return q;
  }

  function pump(q: Queue): void {
    while (q.spec && !closed && q.active < q.spec.prefetch && q.buffer.length > 0) {
      const delivery = q.buffer.shift()!;
      const spec = q.spec;
      q.active++;
      const work = run(q, spec, delivery).finally(() => {
        q.active--;
        q.inFlight.delete(work);
        pump(q);
      });
      q.inFlight.add(work);
    }
  }

  async function run(q: Queue, spec: ConsumerSpec, delivery: Delivery): Promise<void> {
    try {
      // Deferred so a handler that throws synchronously still counts as a failed delivery.
      await Promise.resolve().then(() => spec.handle(delivery));
    } catch (error) {
      const permanent = error instanceof PermanentError;
      const delay = permanent ? undefined : spec.retryDelaysMs[delivery.attempt - 1];
      const fields = {
        consumer: q.name,
        id: delivery.id,
        type: delivery.type,
        attempt: delivery.attempt,
        err: error,
      };
      if (delay === undefined) {
        log.error(fields, 'message dead-lettered');
        q.deadLetters.push({
          delivery,
          reason: permanent ? 'permanent' : 'retries-exhausted',
          error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        });
        spec.onFailure?.('dead_lettered');
        return;
      }
      log.warn({ ...fields, retryInMs: delay }, 'message failed; retrying');
      spec.onFailure?.('retried');
      const timer = setTimeout(() => {
        timers.delete(timer);
        q.buffer.push({ ...delivery, attempt: delivery.attempt + 1 });
        pump(q);
      }, delay);
      timer.unref();
      timers.add(timer);
    }
  }

  return {
    kind: 'in-process',
    async publish(messages: readonly OutgoingMessage[]) {
      if (closed) throw new Error('broker closed');
      for (const m of messages) {
        const targets = [...queues.values()].filter((q) =>
          q.bindings.some((b) => topicMatches(b, m.routingKey)),
        );
        if (targets.length === 0) log.debug({ id: m.id, type: m.type }, 'no consumer bound; message dropped');
        for (const q of targets) {
          q.buffer.push({ id: m.id, type: m.type, body: m.body, attempt: 1 });
          pump(q);
        }
      }
    },
    async consume(spec): Promise<ConsumerHandle> {
      if (closed) throw new Error('broker closed');
      const q = queueFor(spec.name);
      if (q.spec) throw new Error(`consumer ${spec.name} is already running`);
      q.bindings = [...new Set([...q.bindings, ...spec.routingKeys])];
      q.spec = spec;
      pump(q);
      return {
        async stop() {
          if (q.spec === spec) q.spec = null;
          await Promise.allSettled([...q.inFlight]);
        },
      };
    },
    async retireConsumer(name) {
      const q = queues.get(name);
      if (!q) return 0;
      if (q.spec) throw new Error(`consumer ${name} is running`);
      if (q.deadLetters.length === 0) {
        queues.delete(name);
        return 0;
      }
      // Dead letters stay, as on RabbitMQ: a queue without bindings keeps them for an operator.
      q.bindings = [];
      q.buffer = [];
      return q.deadLetters.length;
    },
    async ping() {
      if (closed) throw new Error('broker closed');
    },
    deadLetters(consumer) {
      return queues.get(consumer)?.deadLetters ?? [];
    },
    replayDeadLetters(consumer, options = {}) {
      const q = queues.get(consumer);
      if (!q) return 0;
      const moved = q.deadLetters.splice(0, options.limit ?? q.deadLetters.length);
      q.buffer.push(...moved.map((d) => ({ ...d.delivery, attempt: 1 })));
      pump(q);
      return moved.length;
    },
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.allSettled([...queues.values()].flatMap((q) => [...q.inFlight]));
    },
  };
}
