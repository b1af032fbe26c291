import type { ChannelModel, ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib';
import type { Logger } from '../logger.ts';
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

/**
 * Acknowledges a channel's deliveries in as few frames as it can. Handlers finish out of order
 * and a batch's deliveries all at once: the acks of one turn of the event loop go out together,
 * the longest run of finished deliveries from the oldest outstanding one as a single
 * `multiple` ack (the broker settles them with one command per queue, where a quorum queue
 * otherwise logs a settle per message), the rest one by one. A delivery still being handled,
 * or being re-routed after a failure, is never covered by a `multiple` ack.
 */
export interface AckBatcher {
  /** A delivery taken from the broker: outstanding until acked. */
  delivered(msg: ConsumeMessage): void;
  /** Acks a delivery with the others of this turn. */
  ack(msg: ConsumeMessage): void;
  /** Sends the pending acks now (before the channel closes). */
  flush(): void;
}

export function createAckBatcher(ch: Pick<ConfirmChannel, 'ack'>, log: Logger): AckBatcher {
  /** Delivered and not yet acked, by delivery tag, in delivery order (tags only grow). */
  const outstanding = new Map<number, ConsumeMessage>();
  const finished = new Set<number>();
  let scheduled = false;

  function send(msg: ConsumeMessage, multiple: boolean) {
    try {
      ch.ack(msg, multiple);
    } catch (err) {
      // The channel closed meanwhile: the broker redelivers the message, and the inbox drops the duplicate.
      log.debug({ err }, 'ack after channel close');
    }
  }

  function flush() {
    scheduled = false;
    if (finished.size === 0) return;
    let last: ConsumeMessage | null = null;
    let run = 0;
    for (const [tag, msg] of outstanding) {
      if (!finished.has(tag)) break;
      last = msg;
      run++;
    }
    if (last && run > 1) {
      for (const [tag] of outstanding) {
        outstanding.delete(tag);
        finished.delete(tag);
        if (tag === last.fields.deliveryTag) break;
      }
      send(last, true);
    }
    for (const tag of finished) {
      const msg = outstanding.get(tag);
      outstanding.delete(tag);
      if (msg) send(msg, false);
    }
    finished.clear();
  }

  return {
    delivered(msg) {
      outstanding.set(msg.fields.deliveryTag, msg);
    },
    ack(msg) {
      finished.add(msg.fields.deliveryTag);
      if (scheduled) return;
      scheduled = true;
      // After every handler this turn resolved (a batch's deliveries settle together).
      setImmediate(flush);
    },
    flush,
  };
}

/** Re-publishes a consumed message to a queue through the default exchange and waits for the confirm. */
export function sendConfirmed(
  ch: ConfirmChannel,
  queue: string,
  msg: Message,
  extraHeaders: Record<string, unknown>,
  dropHeaders: readonly string[] = [],
): Promise<void> {
  const p = msg.properties;
  const merged: Record<string, unknown> = { ...p.headers, ...extraHeaders };
  for (const h of dropHeaders) delete merged[h];
  // x-death is the broker's own record of dead-lettering; carrying it over would only grow it.
  delete merged['x-death'];
  const options: Options.Publish = {
    persistent: true,
    messageId: p.messageId,
    type: p.type ?? msg.fields.routingKey,
    correlationId: p.correlationId,
    contentType: p.contentType ?? 'application/json',
    headers: merged,
  };
  return new Promise((resolve, reject) => {
    try {
      ch.sendToQueue(queue, msg.content, options, (err) => (err ? reject(toError(err)) : resolve()));
    } catch (error) {
      reject(toError(error));
    }
  });
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error ?? 'nacked by the broker'));
}
