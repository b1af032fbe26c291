import { count, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox } from '../src/db/tables.ts';
import { createAmqpBroker } from '../src/messaging/amqp-broker.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { createOutboxRelay } from '../src/outbox/relay.ts';
import { messageOf, walletOpened } from './support/brokers.ts';
import {
  AMQP_URL,
  createTestDatabase,
  deleteAmqpObjects,
  holdRabbitLock,
  rabbitmqctl,
  testLogger,
  uniqueName,
  waitFor,
} from './support/infra.ts';

async function rejects(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return false;
  } catch {
    return true;
  }
}

describe('outbox relay and consumer across a RabbitMQ restart', () => {
  it('loses nothing: every row is published and every event received', async () => {
    // Exclusive: no other test file of this suite uses RabbitMQ while it is down.
    await using _lock = await holdRabbitLock('exclusive');
    await using db = await createTestDatabase();
    const prefix = uniqueName('restart');
    const logger = testLogger('restart');
    const fatal: Error[] = [];
    const broker = await createAmqpBroker({
      url: AMQP_URL,
      exchange: `${prefix}.events`,
      deliveryLimit: 5,
      logger,
      maxReconnectAttempts: 240,
      reconnectDelayMs: { initial: 100, max: 500 },
      onFatal: (error) => fatal.push(error),
    });
    const received = new Map<string, number>();
    const sub = await broker.consume({
      name: `${prefix}.rx`,
      routingKeys: ['#'],
      prefetch: 20,
      retryDelaysMs: [],
      handle: async (d) => {
        received.set(d.id, (received.get(d.id) ?? 0) + 1);
      },
    });
    const relay = createOutboxRelay({
      db: db.handle,
      broker,
      logger,
      name: 'restart',
      batchSize: 20,
      pollIntervalMs: 100,
      maxBackoffMs: 500,
    });
    relay.start();
    const commit = async (n: number) => {
      const events = Array.from({ length: n }, () => walletOpened());
      for (const e of events) await db.handle.db.transaction((tx) => enqueue(tx, e));
      return events;
    };
    try {
      const before = await commit(60);
      await waitFor('the events before the restart', () => before.every((e) => received.has(e.id)));

      let down = false;
      let during: ReturnType<typeof walletOpened>[] = [];
      try {
        await rabbitmqctl('stop_app');
        down = true;
        await waitFor('ping to fail while the broker is down', () => rejects(() => broker.ping()));
        expect(await rejects(() => broker.publish([messageOf(walletOpened())]))).toBe(true);
        during = await commit(60);
        await rabbitmqctl('start_app');
        await rabbitmqctl('await_startup');
        down = false;
      } finally {
        // Never leave the machine's broker stopped, whatever failed above.
        if (down) await rabbitmqctl('start_app');
      }

      const after = await commit(30);
      const all = [...before, ...during, ...after];
      await waitFor(
        'every row published',
        async () => {
          const [row] = await db.handle.db
            .select({ n: count() })
            .from(outbox)
            .where(isNull(outbox.publishedAt));
          return row?.n === 0;
        },
        { timeoutMs: 90_000 },
      );
      await waitFor('every event received', () => all.every((e) => received.has(e.id)), {
        timeoutMs: 90_000,
      });
      await broker.ping();
      expect(fatal).toEqual([]);
    } finally {
      await relay.stop();
      await sub.stop();
      await broker.close();
      await deleteAmqpObjects(prefix);
    }
  }, 300_000);
});
