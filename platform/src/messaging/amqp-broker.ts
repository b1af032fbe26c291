import { type ChannelModel, type ConfirmChannel, connect } from 'amqplib';
import type { Logger } from '../logger.ts';
import { tracePublish } from '../tracing/messaging.ts';
import { type AmqpConsumer, createAmqpConsumer } from './amqp-consumer.ts';
import { coalesceWrites, publishOne } from './amqp-publish.ts';
import { type ReplayOptions, replayDeadLetters } from './amqp-replay.ts';
import { assertEventsExchange, deleteConsumerQueues, queueNames } from './amqp-topology.ts';
import type { Broker, OutgoingMessage } from './broker.ts';

export { replayDeadLetters } from './amqp-replay.ts';

export interface AmqpBrokerOptions {
  /** amqp://user:pass@host:port/vhost */
  url: string;
  /** The events topic exchange (EVENTS_EXCHANGE). */
  exchange: string;
  /** Broker-side redelivery cap for messages that crash a consumer (CONSUMER_DELIVERY_LIMIT). */
  deliveryLimit: number;
  logger: Logger;
  /**
   * Reconnect attempts per outage (and for the first connection) before giving up. Default 60:
   * with the default delays that is about ten minutes, after which a supervisor restarting the
   * process is a better bet than waiting on.
   */
  maxReconnectAttempts?: number;
  /** Reconnect backoff: first delay and cap, doubled per attempt with jitter. Default 200 ms … 10 s. */
  reconnectDelayMs?: { initial?: number; max?: number };
  /**
   * Called once when the broker gives up: reconnecting failed `maxReconnectAttempts` times, or a
   * consumer could not be re-established as often. Default: log at fatal and exit with status 1.
   */
  onFatal?: (error: Error) => void;
}

export interface AmqpBroker extends Broker {
  readonly kind: 'amqp';
  /** Moves up to `limit` messages from `<consumer>.dlq` back to `<consumer>`; returns how many. */
  replayDeadLetters(consumer: string, options?: ReplayOptions): Promise<number>;
  /** A fresh confirm channel on the live connection, for operator tooling; the caller closes it. */
  openChannel(): Promise<ConfirmChannel>;
}

/**
 * The RabbitMQ implementation of the Broker contract (broker.ts). One connection with
 * amqplib's recovery: after a reconnect the exchange is re-declared and every running
 * consumer re-attaches itself. While disconnected, `publish` and `ping` reject at once rather
 * than queue up: the outbox relay retries, and readiness should say the broker is gone.
 * Resolves once the first connection is up; rejects if it cannot be made.
 */
export async function createAmqpBroker(options: AmqpBrokerOptions): Promise<AmqpBroker> {
  const log = options.logger.child({ component: 'amqp-broker' });
  const maxAttempts = options.maxReconnectAttempts ?? 60;
  const onFatal =
    options.onFatal ??
    ((error: Error) => {
      log.fatal({ err: error }, 'message broker unreachable; exiting so the supervisor restarts us');
      process.exit(1);
    });
  let model: ChannelModel | null = null;
  let publisher: Promise<ConfirmChannel> | null = null;
  let connectedOnce = false;
  let closed = false;
  let fatalRaised = false;
  const consumers = new Set<AmqpConsumer>();
  const failures = new Map<AmqpConsumer, number>();

  const recovering = await connect(options.url, {
    // amqplib turns Nagle's algorithm on unless told: a publish (method, header and body frames)
    // or an ack then waits for the broker's delayed ACK, up to 40 ms per hop on Linux.
    noDelay: true,
    recovery: {
      initialDelay: options.reconnectDelayMs?.initial ?? 200,
      maxDelay: options.reconnectDelayMs?.max ?? 10_000,
      maxRetries: maxAttempts,
      waitForConnect: false,
      async setup(m: ChannelModel) {
        const ch = await m.createChannel();
        try {
          await assertEventsExchange(ch, options.exchange);
        } finally {
          await ch.close().catch(() => {});
        }
      },
    },
  });
  recovering.on('connect', (m: ChannelModel) => {
    coalesceWrites(m);
    model = m;
    publisher = null;
    if (connectedOnce) log.info('reconnected to the message broker');
    connectedOnce = true;
    for (const c of consumers) attach(c, m);
  });
  recovering.on('disconnect', (err: Error) => {
    model = null;
    publisher = null;
    log.warn({ err }, 'lost the message broker connection');
  });
  recovering.on('reconnect-scheduled', (info: { attempt: number; delay: number; error: Error }) => {
    log.warn(
      { attempt: info.attempt, of: maxAttempts, delayMs: info.delay, err: info.error },
      'reconnecting',
    );
  });
  recovering.on('reconnect-failed', (err: Error) => {
    model = null;
    // Before the first connection the failure rejects createAmqpBroker instead.
    if (connectedOnce) fatal(err);
  });
  recovering.on('error', (err: Error) => log.warn({ err }, 'message broker connection error'));
  recovering.on('blocked', (reason: string) => log.warn({ reason }, 'broker blocked publishing'));
  recovering.on('unblocked', () => log.info('broker unblocked publishing'));
  await recovering.waitForConnect();

  function fatal(error: Error): void {
    if (closed || fatalRaised) return;
    fatalRaised = true;
    onFatal(error);
  }

  function live(): ChannelModel {
    if (closed) throw new Error('broker closed');
    if (!model) throw new Error('message broker disconnected');
    return model;
  }

  function openChannel(): Promise<ConfirmChannel> {
    return Promise.resolve().then(() => live().createConfirmChannel());
  }

  function publisherChannel(): Promise<ConfirmChannel> {
    if (publisher) return publisher;
    const created = live()
      .createConfirmChannel()
      .then((ch) => {
        ch.on('error', (err: Error) => log.warn({ err }, 'publisher channel error'));
        ch.on('close', () => {
          if (publisher === created) publisher = null;
        });
        return ch;
      });
    created.catch(() => {
      if (publisher === created) publisher = null;
    });
    publisher = created;
    return created;
  }

  /** (Re)attaches a consumer; on failure retries with backoff, up to maxAttempts in a row. */
  function attach(c: AmqpConsumer, m: ChannelModel): void {
    c.attach(m).then(
      () => failures.delete(c),
      (err: unknown) => {
        log.warn({ err }, 'could not start consumer; retrying');
        reattachLater(c);
      },
    );
  }

  function reattachLater(c: AmqpConsumer): void {
    const count = (failures.get(c) ?? 0) + 1;
    failures.set(c, count);
    if (count > maxAttempts) {
      fatal(new Error(`consumer could not be re-established after ${maxAttempts} attempts`));
      return;
    }
    const delay = Math.min(
      (options.reconnectDelayMs?.initial ?? 200) * 2 ** count,
      options.reconnectDelayMs?.max ?? 10_000,
    );
    setTimeout(() => {
      // No connection: the next 'connect' re-attaches every consumer anyway.
      if (consumers.has(c) && model && !c.attached) attach(c, model);
    }, delay).unref();
  }

  return {
    kind: 'amqp',
    async publish(messages: readonly OutgoingMessage[]) {
      if (messages.length === 0) return;
      const ch = await publisherChannel();
      // One channel keeps the messages in order. When the socket is busy amqplib buffers them
      // rather than refusing; the relay's batch size bounds that buffer.
      await Promise.all(
        messages.map((m) =>
          tracePublish('rabbitmq', options.exchange, m, () => publishOne(ch, options.exchange, m)),
        ),
      );
    },
    async consume(spec) {
      const consumer: AmqpConsumer = createAmqpConsumer({
        spec,
        exchange: options.exchange,
        deliveryLimit: options.deliveryLimit,
        logger: log,
        onChannelLost: () => reattachLater(consumer),
      });
      if (model) await consumer.attach(model);
      consumers.add(consumer);
      return {
        async stop() {
          consumers.delete(consumer);
          failures.delete(consumer);
          await consumer.stop();
        },
      };
    },
    retireConsumer(name, retryDelaysMs) {
      return Promise.resolve().then(() => deleteConsumerQueues(live(), name, retryDelaysMs));
    },
    async queueDepths(consumer) {
      // A channel of its own: checking a queue that does not exist (yet) closes the channel.
      const ch = await live().createChannel();
      ch.on('error', () => {});
      try {
        const main = await ch.checkQueue(queueNames.main(consumer));
        const deadLetter = await ch.checkQueue(queueNames.deadLetter(consumer));
        return { main: main.messageCount, deadLetter: deadLetter.messageCount };
      } finally {
        await ch.close().catch(() => {});
      }
    },
    async ping() {
      const ch = await publisherChannel();
      await ch.checkExchange(options.exchange);
    },
    replayDeadLetters(consumer, options) {
      return replayDeadLetters({ openChannel }, consumer, options);
    },
    openChannel,
    async close() {
      if (closed) return;
      await Promise.allSettled([...consumers].map((c) => c.stop()));
      closed = true;
      consumers.clear();
      const ch = publisher;
      publisher = null;
      if (ch) await (await ch.catch(() => null))?.close().catch(() => {});
      await recovering.close();
    },
  };
}
