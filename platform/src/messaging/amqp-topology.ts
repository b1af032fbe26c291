import type { Channel, ChannelModel } from 'amqplib';

/**
 * The RabbitMQ topology of docs/architecture.md §7, declared idempotently by whoever needs it first.
 * Every declaration is durable so a broker restart keeps queues, bindings and messages.
 */

/** Queue names derived from a consumer name. */
export const queueNames = {
  main: (consumer: string) => consumer,
  deadLetter: (consumer: string) => `${consumer}.dlq`,
  retry: (consumer: string, delayMs: number) => `${consumer}.retry.${delayMs}`,
  unroutable: (exchange: string) => `${exchange}.unroutable`,
};

/** Header names the broker writes on retried and dead-lettered messages. */
export const headers = {
  attempt: 'x-attempt',
  lastError: 'x-last-error',
  deathReason: 'x-death-reason',
  error: 'x-error',
  correlationId: 'x-correlation-id',
} as const;

/**
 * The events exchange (topic; routing key = event type and topic, `routingKeyOf`) and its alternate exchange: a message
 * no queue is bound for lands in `<exchange>.unroutable` instead of being dropped, which a
 * publisher confirm alone would not reveal (a confirm does not mean "routed").
 */
export async function assertEventsExchange(channel: Channel, exchange: string): Promise<void> {
  const unroutable = queueNames.unroutable(exchange);
  await channel.assertExchange(unroutable, 'fanout', { durable: true });
  await channel.assertQueue(unroutable, { durable: true });
  await channel.bindQueue(unroutable, unroutable, '');
  await channel.assertExchange(exchange, 'topic', { durable: true, alternateExchange: unroutable });
}

export interface ConsumerTopology {
  exchange: string;
  name: string;
  routingKeys: readonly string[];
  retryDelaysMs: readonly number[];
  /** Redeliveries before the broker dead-letters a message that keeps crashing its consumer. */
  deliveryLimit: number;
}

/**
 * A consumer's queues: a quorum queue bound to its routing keys, whose delivery limit sends a
 * crash-looping message to the dead-letter queue (RabbitMQ 3.10 has no default limit); one
 * TTL queue per distinct retry delay that dead-letters back into this consumer's queue only,
 * through the default exchange, so other consumers of the same event never see the retry.
 */
export async function assertConsumerQueues(channel: Channel, t: ConsumerTopology): Promise<void> {
  const main = queueNames.main(t.name);
  const deadLetter = queueNames.deadLetter(t.name);
  await channel.assertQueue(deadLetter, { durable: true });
  await channel.assertQueue(main, {
    durable: true,
    arguments: {
      'x-queue-type': 'quorum',
      'x-delivery-limit': t.deliveryLimit,
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': deadLetter,
    },
  });
  for (const delay of new Set(t.retryDelaysMs)) {
    await channel.assertQueue(queueNames.retry(t.name, delay), {
      durable: true,
      arguments: { 'x-message-ttl': delay, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': main },
    });
  }
  for (const key of t.routingKeys) await channel.bindQueue(main, t.exchange, key);
}

/**
 * Deletes the queues of a consumer that no longer exists, so the exchange stops routing events
 * into a queue nobody reads (a durable queue outlives its consumer, and would grow without end).
 * Its main and retry queues go with what they hold (the consumer was retired on purpose); its
 * dead-letter queue only when empty, because what lies there awaits an operator. Deleting a
 * queue that does not exist changes nothing. Resolves how many dead letters were kept.
 */
export async function deleteConsumerQueues(
  model: ChannelModel,
  name: string,
  retryDelaysMs: readonly number[],
): Promise<number> {
  const ch = await model.createChannel();
  try {
    await ch.deleteQueue(queueNames.main(name));
    for (const delay of new Set(retryDelaysMs)) await ch.deleteQueue(queueNames.retry(name, delay));
  } finally {
    await ch.close().catch(() => {});
  }
  // A queue that is missing or not empty closes the channel that asked: a channel of its own.
  const dlq = await model.createChannel();
  dlq.on('error', () => {});
  try {
    const { messageCount } = await dlq.checkQueue(queueNames.deadLetter(name));
    if (messageCount > 0) return messageCount;
    await dlq.deleteQueue(queueNames.deadLetter(name), { ifEmpty: true });
    return 0;
  } catch {
    return 0;
  } finally {
    await dlq.close().catch(() => {});
  }
}
