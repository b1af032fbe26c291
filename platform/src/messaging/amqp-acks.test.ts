import type { ConsumeMessage } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createAckBatcher } from './amqp-acks.ts';

/** The acks a channel was sent: delivery tag and whether it covered every tag up to it. */
function recordingChannel() {
  const sent: [tag: number, multiple: boolean][] = [];
  return {
    sent,
    ack: (msg: ConsumeMessage, multiple?: boolean) => {
      sent.push([msg.fields.deliveryTag, multiple === true]);
    },
  };
}

const delivery = (tag: number) => ({ fields: { deliveryTag: tag } }) as ConsumeMessage;
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ack batcher', () => {
  const log = createLogger('test', 'silent');

  it('acks a run of finished deliveries from the oldest outstanding one with one frame', async () => {
    const ch = recordingChannel();
    const acks = createAckBatcher(ch, log);
    const msgs = [1, 2, 3, 4].map(delivery);
    for (const m of msgs) acks.delivered(m);
    for (const m of msgs.slice(0, 3).reverse()) acks.ack(m);
    expect(ch.sent).toEqual([]);
    await turn();
    expect(ch.sent).toEqual([[3, true]]);
    acks.ack(msgs[3]!);
    await turn();
    expect(ch.sent).toEqual([
      [3, true],
      [4, false],
    ]);
  });

  it('never covers a delivery still in flight: the ones after it are acked one by one', async () => {
    const ch = recordingChannel();
    const acks = createAckBatcher(ch, log);
    const msgs = [7, 8, 9, 10].map(delivery);
    for (const m of msgs) acks.delivered(m);
    acks.ack(msgs[1]!);
    acks.ack(msgs[3]!);
    await turn();
    expect(ch.sent.toSorted(([a], [b]) => a - b)).toEqual([
      [8, false],
      [10, false],
    ]);
    // 7 and 9 are now the only outstanding ones: one frame covers both (8 was acked already).
    acks.ack(msgs[0]!);
    acks.ack(msgs[2]!);
    acks.flush();
    expect(ch.sent.slice(2)).toEqual([[9, true]]);
  });
});
