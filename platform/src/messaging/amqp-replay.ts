import { type ConfirmChannel, connect } from 'amqplib';
import { sendConfirmed } from './amqp-publish.ts';
import { headers, queueNames } from './amqp-topology.ts';

export interface ReplayOptions {
  /** Most messages to move. Default: every message in the dead-letter queue when the replay starts. */
  limit?: number;
}

/** What `replayDeadLetters` needs of a broker: a confirm channel (AmqpBroker has one). */
export interface ChannelSource {
  openChannel(): Promise<ConfirmChannel>;
}

/**
 * Operator tool: moves messages from `<consumer>.dlq` back into `<consumer>`'s queue, with
 * their retry count and error headers cleared, so the consumer gets a fresh set of retries.
 * Each message is acked off the dead-letter queue only after its re-publish is confirmed.
 * Takes a running broker or an AMQP URL (a connection is opened and closed for the replay).
 */
export async function replayDeadLetters(
  source: ChannelSource | string,
  consumer: string,
  options: ReplayOptions = {},
): Promise<number> {
  if (typeof source !== 'string') {
    const ch = await source.openChannel();
    try {
      return await moveDeadLetters(ch, consumer, options);
    } finally {
      await ch.close().catch(() => {});
    }
  }
  const connection = await connect(source);
  connection.on('error', () => {});
  try {
    const ch = await connection.createConfirmChannel();
    const moved = await moveDeadLetters(ch, consumer, options);
    // Closing the channel is a round trip after the last ack, so the broker has taken every ack
    // before the connection goes; a bare connection close has been seen to lose the last one.
    await ch.close();
    return moved;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The replay itself, on a channel the caller owns. */
export async function moveDeadLetters(
  ch: ConfirmChannel,
  consumer: string,
  options: ReplayOptions = {},
): Promise<number> {
  // A missing queue closes the channel with an 'error' event; the pending call rejects with it too.
  ch.on('error', () => {});
  const from = queueNames.deadLetter(consumer);
  const to = queueNames.main(consumer);
  // Bounded by the count at the start: a message that fails again and is dead-lettered anew
  // during the replay must not be picked up a second time by this same run.
  const { messageCount } = await ch.checkQueue(from);
  await ch.checkQueue(to);
  const max = Math.min(options.limit ?? Number.POSITIVE_INFINITY, messageCount);
  let moved = 0;
  while (moved < max) {
    const msg = await ch.get(from, { noAck: false });
    if (!msg) break;
    await sendConfirmed(ch, to, msg, {}, [
      headers.attempt,
      headers.lastError,
      headers.deathReason,
      headers.error,
    ]);
    ch.ack(msg);
    moved++;
  }
  return moved;
}
