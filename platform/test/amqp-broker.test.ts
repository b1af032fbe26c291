import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type ChannelModel, connect } from 'amqplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AmqpBroker, createAmqpBroker } from '../src/messaging/amqp-broker.ts';
import { PermanentError } from '../src/messaging/broker.ts';
import { messageOf, walletOpened } from './support/brokers.ts';
import {
  AMQP_URL,
  deleteAmqpObjects,
  holdRabbitLock,
  testLogger,
  uniqueName,
  waitFor,
} from './support/infra.ts';

const replayCli = fileURLToPath(new URL('../src/messaging/replay-dlq.ts', import.meta.url));

describe('RabbitMQ broker topology', { timeout: 30_000 }, () => {
  const prefix = uniqueName('amqp');
  const exchange = `${prefix}.events`;
  // By hand, not useForSuite: the lock outlives the broker until its AMQP objects are deleted.
  let lock: AsyncDisposable;
  let broker: AmqpBroker;
  let admin: ChannelModel;

  beforeAll(async () => {
    lock = await holdRabbitLock('shared');
    broker = await createAmqpBroker({
      url: AMQP_URL,
      exchange,
      deliveryLimit: 2,
      logger: testLogger('amqp'),
    });
    admin = await connect(AMQP_URL);
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
    await admin?.close();
    await deleteAmqpObjects(prefix);
    await lock?.[Symbol.asyncDispose]();
  }, 60_000);

  async function messageCount(queue: string): Promise<number> {
    const ch = await admin.createChannel();
    try {
      return (await ch.checkQueue(queue)).messageCount;
    } finally {
      await ch.close();
    }
  }

  it('keeps a message no consumer is bound for in the unroutable queue', async () => {
    const orphan = { ...messageOf(walletOpened()), routingKey: 'nobody.listens_here.v1' };
    await broker.publish([orphan]);
    const ch = await admin.createChannel();
    const msg = await waitFor('the orphan in the unroutable queue', () =>
      ch.get(`${exchange}.unroutable`, { noAck: true }),
    );
    await ch.close();
    expect(msg.properties.messageId).toBe(orphan.id);
    expect(msg.properties.type).toBe(orphan.type);
    expect(msg.properties.correlationId).toBe(orphan.correlationId);
    expect(msg.properties.headers?.['x-correlation-id']).toBe(orphan.correlationId);
    expect(msg.properties.deliveryMode).toBe(2);
  });

  it('dead-letters a message that keeps crashing its consumer, through the delivery limit', async () => {
    const name = `${prefix}.crash`;
    // Declare the consumer's queues, then consume them raw and "crash" (close without ack) on every delivery.
    const sub = await broker.consume({
      name,
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async () => {},
    });
    await sub.stop();
    const event = walletOpened();
    await broker.publish([messageOf(event)]);
    for (let crash = 0; crash < 10 && (await messageCount(`${name}.dlq`)) === 0; crash++) {
      const ch = await admin.createChannel();
      const msg = await waitFor('a delivery', () => ch.get(name, { noAck: false }), {
        timeoutMs: 2000,
      }).catch(() => null);
      await ch.close();
      if (!msg) break;
    }
    expect(await messageCount(`${name}.dlq`)).toBe(1);
    expect(await messageCount(name)).toBe(0);
  });

  it('replays dead letters with the operator CLI', async () => {
    const name = `${prefix}.cli`;
    let broken = true;
    const handled: string[] = [];
    const sub = await broker.consume({
      name,
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async (d) => {
        if (broken) throw new PermanentError('not yet');
        handled.push(d.id);
      },
    });
    try {
      const event = walletOpened();
      await broker.publish([messageOf(event)]);
      await waitFor('the dead letter', async () => (await messageCount(`${name}.dlq`)) === 1);
      broken = false;
      const { stdout } = await promisify(execFile)(process.execPath, [replayCli, name], {
        env: { ...process.env, AMQP_URL },
      });
      expect(stdout).toContain(`moved 1 message(s) from ${name}.dlq back to ${name}`);
      await waitFor('the replayed message', () => handled.includes(event.id));
      expect(await messageCount(`${name}.dlq`)).toBe(0);
    } finally {
      await sub.stop();
    }
  });

  it('retires a consumer: its queues go and nothing is routed to them, while its dead letters stay', async () => {
    const name = `${prefix}.retired`;
    const routingKey = `${prefix}.retired_topic.v1`;
    const exists = async (queue: string) => {
      const ch = await admin.createChannel();
      ch.on('error', () => {});
      try {
        await ch.checkQueue(queue);
        return true;
      } catch {
        return false;
      } finally {
        await ch.close().catch(() => {});
      }
    };
    const sub = await broker.consume({
      name,
      routingKeys: [routingKey],
      prefetch: 1,
      retryDelaysMs: [100],
      handle: async () => {
        throw new PermanentError('refused');
      },
    });
    await broker.publish([{ ...messageOf(walletOpened()), routingKey }]);
    await waitFor('the dead letter', async () => (await messageCount(`${name}.dlq`)) === 1);
    await sub.stop();
    // Waiting in the main queue when the consumer is retired: it goes with the queue.
    await broker.publish([{ ...messageOf(walletOpened()), routingKey }]);
    await waitFor('the waiting message', async () => (await messageCount(name)) === 1);

    expect(await broker.retireConsumer(name, [100])).toBe(1);
    expect(await exists(name)).toBe(false);
    expect(await exists(`${name}.retry.100`)).toBe(false);
    expect(await messageCount(`${name}.dlq`)).toBe(1);

    // Nothing is bound for the key any more: the next one lands in the unroutable queue.
    const later = { ...messageOf(walletOpened()), routingKey };
    await broker.publish([later]);
    const ch = await admin.createChannel();
    try {
      await waitFor('the later message in the unroutable queue', async () => {
        const msg = await ch.get(`${exchange}.unroutable`, { noAck: true });
        return msg && msg.properties.messageId === later.id ? true : undefined;
      });
      // Once an operator emptied the dead letters, retiring again takes that queue too.
      await ch.purgeQueue(`${name}.dlq`);
    } finally {
      await ch.close();
    }
    expect(await broker.retireConsumer(name, [100])).toBe(0);
    expect(await exists(`${name}.dlq`)).toBe(false);
    // A consumer that never existed: nothing to do.
    expect(await broker.retireConsumer(`${prefix}.never`, [100])).toBe(0);
  });

  it('stops a consumer only after its in-flight handler finished and acked', async () => {
    const name = `${prefix}.stop`;
    const { promise: release, resolve } = Promise.withResolvers<void>();
    const { promise: started, resolve: markStarted } = Promise.withResolvers<void>();
    let finished = false;
    const sub = await broker.consume({
      name,
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async () => {
        markStarted();
        await release;
        finished = true;
      },
    });
    await broker.publish([messageOf(walletOpened())]);
    await started;
    const stopping = sub.stop();
    resolve();
    await stopping;
    expect(finished).toBe(true);
    expect(await messageCount(name)).toBe(0);
  });

  it('acks finished deliveries together without covering one still in flight, which then retries', async () => {
    const name = `${prefix}.acks`;
    const events = Array.from({ length: 6 }, () => walletOpened());
    const slow = events[0]!;
    const { promise: othersDone, resolve: markOthersDone } = Promise.withResolvers<void>();
    const attempts = new Map<string, number[]>();
    const sub = await broker.consume({
      name,
      routingKeys: ['wallet.opened.v1'],
      prefetch: 10,
      retryDelaysMs: [50],
      handle: async (d) => {
        attempts.set(d.id, [...(attempts.get(d.id) ?? []), d.attempt]);
        if (d.id !== slow.id) {
          if (attempts.size === events.length) markOthersDone();
          return;
        }
        // The oldest delivery finishes last, and fails: the others' acks must not have covered it.
        if (d.attempt === 1) {
          await othersDone;
          await new Promise((resolve) => setTimeout(resolve, 50));
          throw new Error('fails once');
        }
      },
    });
    try {
      await broker.publish(events.map((e) => messageOf(e)));
      await waitFor('the slow one retried and handled', () => attempts.get(slow.id)?.length === 2);
      await waitFor('the queue drained', async () => (await messageCount(name)) === 0);
      expect(attempts.get(slow.id)).toEqual([1, 2]);
      for (const e of events.slice(1)) expect(attempts.get(e.id)).toEqual([1]);
      expect(await messageCount(`${name}.dlq`)).toBe(0);
    } finally {
      await sub.stop();
    }
    // Nothing was left unacked for the broker to deliver again.
    expect(await messageCount(name)).toBe(0);
  });
});
