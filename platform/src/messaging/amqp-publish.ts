import type { Writable } from 'node:stream';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { headers } from './amqp-topology.ts';
import type { OutgoingMessage } from './broker.ts';

// How messages reach the wire: every send waits for the broker's confirm, because a row of the
// outbox, or a delivery being retried or dead-lettered, may only be let go once the broker
// holds its copy.

/** Publishes one message and resolves on its confirm; rejects when the broker nacks it or the channel dies. */
export function publishOne(ch: ConfirmChannel, exchange: string, m: OutgoingMessage): Promise<void> {
  const options: Options.Publish = {
    persistent: true,
    messageId: m.id,
    type: m.type,
    correlationId: m.correlationId,
    contentType: 'application/json',
    timestamp: Math.floor(Date.now() / 1000),
    headers: { [headers.correlationId]: m.correlationId },
  };
  return new Promise((resolve, reject) => {
    try {
      ch.publish(exchange, m.routingKey, Buffer.from(m.body, 'utf8'), options, (err) =>
        err ? reject(err instanceof Error ? err : new Error('message nacked by the broker')) : resolve(),
      );
    } catch (error) {
      reject(error);
    }
  });
}

/**
 * Sends the frames amqplib writes within one tick (a publish's method, header and body frames;
 * the acks of a committed batch) in one `writev` rather than a syscall and a packet each. With
 * TCP_NODELAY on, nothing else coalesces them. amqplib writes every frame to its connection's
 * socket (`connection.stream`); corked on the first write of a tick, it is uncorked when the
 * tick's synchronous work is done.
 */
export function coalesceWrites(model: ChannelModel): void {
  const socket = (model as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  if (!socket || typeof socket.cork !== 'function') return;
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  let corked = false;
  socket.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(() => {
        corked = false;
        socket.uncork();
      });
    }
    return write(...args);
  }) as Writable['write'];
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

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error ?? 'nacked by the broker'));
}
