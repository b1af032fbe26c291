import type { ConfirmChannel, ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger.ts';

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
