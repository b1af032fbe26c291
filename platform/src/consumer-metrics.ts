import type { Broker } from './messaging/broker.ts';
import type { Metrics } from './metrics.ts';

/** How a delivery ended for its consumer (`walletgraph_consumer_messages_total{result}`). */
export type ConsumerResult = 'handled' | 'retried' | 'dead_lettered' | 'duplicate';

/** What a consumer records; every label child is made once, so each call is one update. */
export interface ConsumerMetrics {
  /** A delivery ended: handled (committed or acknowledged), a duplicate the inbox skipped, or failed into a retry or the DLQ. */
  count(result: ConsumerResult): void;
  /** How long the consumer's handling of one delivery took, whatever its result. */
  handled(seconds: number): void;
}

/** Records nothing: for consumers run outside a subgraph (tests, tools). */
export const noConsumerMetrics: ConsumerMetrics = { count() {}, handled() {} };

/** The metrics of one consumer of `subgraph`; `consumer` is its declared name (`ledger.commands`), never the exchange-prefixed queue. */
export function consumerMetrics(metrics: Metrics, subgraph: string, consumer: string): ConsumerMetrics {
  const messages = metrics.counter({
    name: 'walletgraph_consumer_messages_total',
    help: 'Deliveries a consumer finished, by result (handled, retried, dead_lettered, duplicate).',
    labelNames: ['subgraph', 'consumer', 'result'],
  });
  const results: Record<ConsumerResult, { inc(): void }> = {
    handled: messages.labels({ subgraph, consumer, result: 'handled' }),
    retried: messages.labels({ subgraph, consumer, result: 'retried' }),
    dead_lettered: messages.labels({ subgraph, consumer, result: 'dead_lettered' }),
    duplicate: messages.labels({ subgraph, consumer, result: 'duplicate' }),
  };
  const duration = metrics
    .histogram({
      name: 'walletgraph_consumer_handler_duration_seconds',
      help: 'Time a consumer took over one delivery, from receipt to its batch settling.',
      labelNames: ['subgraph', 'consumer'],
    })
    .labels({ subgraph, consumer });
  return {
    count(result) {
      results[result].inc();
    },
    handled(seconds) {
      duration.observe(seconds);
    },
  };
}

/**
 * Samples a consumer's ready messages in its main and dead-letter queues on each scrape, from a
 * broker that can tell (RabbitMQ; the in-process bus of embedded mode has no queues to ask).
 * `queue` is the broker's name for the consumer (exchange-prefixed); `consumer` the label.
 * Returns the way to stop sampling.
 */
export function sampleQueueDepths(
  metrics: Metrics,
  broker: Broker,
  labels: { subgraph: string; consumer: string; queue: string },
): () => void {
  const { queueDepths } = broker;
  if (!queueDepths) return () => {};
  const gauge = metrics.gauge({
    name: 'walletgraph_consumer_queue_messages',
    help: 'Messages ready in a consumer’s queue (main) and dead-letter queue (sampled on scrape; RabbitMQ only).',
    labelNames: ['subgraph', 'consumer', 'queue'],
  });
  const { subgraph, consumer } = labels;
  const main = gauge.labels({ subgraph, consumer, queue: 'main' });
  const deadLetter = gauge.labels({ subgraph, consumer, queue: 'dead_letter' });
  return metrics.sampleOnScrape(async () => {
    const depths = await queueDepths.call(broker, labels.queue);
    main.set(depths.main);
    deadLetter.set(depths.deadLetter);
  });
}
