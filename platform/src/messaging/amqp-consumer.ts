import type { ChannelModel, ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger.ts';
import { type AckBatcher, createAckBatcher } from './amqp-acks.ts';
import { sendConfirmed } from './amqp-publish.ts';
import { assertConsumerQueues, headers, queueNames } from './amqp-topology.ts';
import { type ConsumerSpec, type Delivery, PermanentError } from './broker.ts';

export interface AmqpConsumerOptions {
  spec: ConsumerSpec;
  exchange: string;
  deliveryLimit: number;
  logger: Logger;
  /** Called when the consumer's channel dies while the consumer should be running. */
  onChannelLost(): void;
}

/** One consumer's channel and deliveries; the broker re-attaches it after each reconnect. */
export interface AmqpConsumer {
  /** Opens a channel on `model`, declares the consumer's queues and starts consuming. */
  attach(model: ChannelModel): Promise<void>;
  /** Whether a live channel is consuming. */
  readonly attached: boolean;
  /** Cancels the subscription and waits for in-flight handlers (their acks still go out). */
  stop(): Promise<void>;
}

/** Error text kept in headers: the encoded header table of a message is capped at 64 KiB. */
const MAX_ERROR_CHARS = 1000;

export function createAmqpConsumer(options: AmqpConsumerOptions): AmqpConsumer {
  const { spec } = options;
  const log = options.logger.child({ consumer: spec.name });
  let channel: ConfirmChannel | null = null;
  let acks: AckBatcher | null = null;
  let consumerTag: string | null = null;
  let attaching: Promise<void> | null = null;
  let stopped = false;
  const inFlight = new Set<Promise<void>>();

  async function open(model: ChannelModel): Promise<void> {
    const ch = await model.createConfirmChannel();
    ch.on('error', (err: Error) => log.warn({ err }, 'consumer channel error'));
    ch.on('close', () => {
      if (channel !== ch) return;
      channel = null;
      acks = null;
      consumerTag = null;
      if (!stopped) options.onChannelLost();
    });
    const batcher = createAckBatcher(ch, log);
    try {
      await ch.prefetch(spec.prefetch);
      await assertConsumerQueues(ch, {
        ...spec,
        exchange: options.exchange,
        deliveryLimit: options.deliveryLimit,
      });
      channel = ch;
      acks = batcher;
      const reply = await ch.consume(queueNames.main(spec.name), (msg) => {
        // null: the broker cancelled the subscription (queue deleted); re-attach on a fresh channel.
        if (msg === null) void ch.close().catch(() => {});
        else {
          batcher.delivered(msg);
          track(handle(ch, batcher, msg));
        }
      });
      consumerTag = reply.consumerTag;
    } catch (error) {
      if (channel === ch) channel = null;
      await ch.close().catch(() => {});
      throw error;
    }
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  async function handle(ch: ConfirmChannel, batcher: AckBatcher, msg: ConsumeMessage): Promise<void> {
    const delivery: Delivery = {
      id: String(msg.properties.messageId ?? ''),
      type: String(msg.properties.type ?? msg.fields.routingKey),
      body: msg.content.toString('utf8'),
      attempt: Number(msg.properties.headers?.[headers.attempt] ?? 1),
    };
    try {
      await spec.handle(delivery);
      batcher.ack(msg);
      return;
    } catch (error) {
      await settleFailure(ch, batcher, msg, delivery, error);
    }
  }

  /**
   * Moves a failed message to its next retry queue, or to the dead-letter queue, and only then
   * acks it: if the re-publish is not confirmed the channel is gone, and the unacked original
   * comes back on its own. Never a nack-requeue, which would spin on a poison message.
   */
  async function settleFailure(
    ch: ConfirmChannel,
    batcher: AckBatcher,
    msg: ConsumeMessage,
    d: Delivery,
    error: unknown,
  ) {
    const permanent = error instanceof PermanentError;
    const delay = permanent ? undefined : spec.retryDelaysMs[d.attempt - 1];
    const text = errorText(error);
    const target =
      delay === undefined ? queueNames.deadLetter(spec.name) : queueNames.retry(spec.name, delay);
    const extra =
      delay === undefined
        ? { [headers.deathReason]: permanent ? 'permanent' : 'retries-exhausted', [headers.error]: text }
        : { [headers.attempt]: d.attempt + 1, [headers.lastError]: text };
    const fields = { id: d.id, type: d.type, attempt: d.attempt, err: error };
    if (delay === undefined) log.error(fields, 'message dead-lettered');
    else log.warn({ ...fields, retryInMs: delay }, 'message failed; retrying');
    try {
      await sendConfirmed(ch, target, msg, extra);
      batcher.ack(msg);
      spec.onFailure?.(delay === undefined ? 'dead_lettered' : 'retried');
    } catch (sendError) {
      log.warn(
        { err: sendError, id: d.id },
        'could not re-route failed message; the broker will redeliver it',
      );
    }
  }

  return {
    get attached() {
      return channel !== null;
    },
    async attach(model) {
      if (stopped || channel) return;
      attaching ??= open(model).finally(() => {
        attaching = null;
      });
      await attaching;
    },
    async stop() {
      stopped = true;
      await attaching?.catch(() => {});
      const ch = channel;
      if (ch && consumerTag) await ch.cancel(consumerTag).catch(() => {});
      await Promise.allSettled([...inFlight]);
      acks?.flush();
      channel = null;
      acks = null;
      await ch?.close().catch(() => {});
    },
  };
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}
