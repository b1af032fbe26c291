import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { Event } from '@walletgraph/events';
import { count, eq, inArray, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../src/db/database.ts';
import { outbox } from '../src/db/tables.ts';
import { createAmqpBroker } from '../src/messaging/amqp-broker.ts';
import type { Broker } from '../src/messaging/broker.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { pruneOutbox } from '../src/outbox/prune.ts';
import { createOutboxRelay, type OutboxRelayOptions } from '../src/outbox/relay.ts';
import { walletOpened } from './support/brokers.ts';
import {
  AMQP_URL,
  createTestDatabase,
  deleteAmqpObjects,
  holdRabbitLock,
  type TestSchema,
  testLogger,
  uniqueName,
  waitFor,
} from './support/infra.ts';

const relayChild = fileURLToPath(new URL('./fixtures/relay-child.ts', import.meta.url));

describe('outbox relay over RabbitMQ and Postgres', { timeout: 30_000 }, () => {
  const prefix = uniqueName('outbox');
  const exchange = `${prefix}.events`;
  // By hand, not useForSuite: the lock outlives the broker until its AMQP objects are deleted.
  let lock: AsyncDisposable;
  let broker: Broker;

  beforeAll(async () => {
    lock = await holdRabbitLock('shared');
    broker = await createAmqpBroker({
      url: AMQP_URL,
      exchange,
      deliveryLimit: 5,
      logger: testLogger('amqp'),
    });
  }, 120_000);

  afterAll(async () => {
    await broker?.close();
    await deleteAmqpObjects(prefix);
    await lock?.[Symbol.asyncDispose]();
  }, 60_000);

  /** Counts every delivery per message id on a fresh queue bound to every event type. */
  async function receiver(label: string) {
    const received = new Map<string, number>();
    const sub = await broker.consume({
      name: `${prefix}.${label}`,
      routingKeys: ['#'],
      prefetch: 50,
      retryDelaysMs: [],
      handle: async (d) => {
        received.set(d.id, (received.get(d.id) ?? 0) + 1);
      },
    });
    return { received, [Symbol.asyncDispose]: () => sub.stop() };
  }

  function startRelay(db: DatabaseHandle<TestSchema>, options: Partial<OutboxRelayOptions<TestSchema>> = {}) {
    const relay = createOutboxRelay({
      db,
      broker,
      logger: testLogger('relay'),
      name: 'test',
      pollIntervalMs: 100,
      ...options,
    });
    relay.start();
    return { ...relay, [Symbol.asyncDispose]: () => relay.stop() };
  }

  async function unpublished(db: DatabaseHandle<TestSchema>): Promise<number> {
    const [row] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
    return row?.n ?? -1;
  }

  it('publishes a committed row, woken by the commit notification', async () => {
    await using db = await createTestDatabase();
    await using rx = await receiver('committed');
    // A poll interval far beyond the test's deadline: only the NOTIFY at commit can wake the relay.
    await using _relay = startRelay(db.handle, { pollIntervalMs: 600_000 });
    const first = walletOpened();
    await db.handle.db.transaction((tx) => enqueue(tx, first));
    await waitFor('the first event', () => rx.received.has(first.id));

    const second = walletOpened();
    await db.handle.db.transaction((tx) => enqueue(tx, second));
    await waitFor('the second event', () => rx.received.has(second.id));
    await waitFor('both rows marked published', async () => (await unpublished(db.handle)) === 0);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    await using db = await createTestDatabase();
    await using rx = await receiver('rollback');
    await using _relay = startRelay(db.handle);
    const rolledBack = walletOpened();
    await expect(
      db.handle.db.transaction(async (tx) => {
        await enqueue(tx, rolledBack);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const committed = walletOpened();
    await db.handle.db.transaction((tx) => enqueue(tx, committed));

    await waitFor('the committed event', () => rx.received.has(committed.id));
    expect(rx.received.has(rolledBack.id)).toBe(false);
    expect(await db.handle.db.select().from(outbox).where(eq(outbox.id, rolledBack.id))).toEqual([]);
  });

  it('loses nothing when the relay dies mid-batch and a new one takes over', async () => {
    await using db = await createTestDatabase();
    await using rx = await receiver('crash');
    const events = Array.from({ length: 300 }, () => walletOpened());
    await db.handle.db.transaction((tx) => enqueue(tx, events));

    const child = spawn(process.execPath, [relayChild], {
      env: {
        ...process.env,
        DB_URL: db.url,
        AMQP_URL,
        EXCHANGE: exchange,
        BATCH_SIZE: '50',
        KILL_AFTER_BATCHES: '3',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
    expect({ code, signal, stderr }).toEqual({ code: null, signal: 'SIGKILL', stderr: '' });
    // Two batches were marked; the third was confirmed by the broker but never marked.
    expect(await unpublished(db.handle)).toBe(200);

    await using _relay = startRelay(db.handle, { name: 'crash', batchSize: 50 });
    await waitFor('every row published', async () => (await unpublished(db.handle)) === 0);
    await waitFor('every event received', () => events.every((e) => rx.received.has(e.id)));
    const thirdBatch = events.slice(100, 150);
    expect(thirdBatch.every((e) => (rx.received.get(e.id) ?? 0) >= 2)).toBe(true);
  }, 60_000);

  it('lets only one of two relays publish at a time; the standby takes over when the leader stops', async () => {
    await using db = await createTestDatabase();
    const replica = await db.open();
    await using rx = await receiver('two');
    const publications: Array<{ relay: string; ids: string[] }> = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const observed = (relay: string): Broker => ({
      ...broker,
      async publish(messages) {
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        try {
          await broker.publish(messages);
          publications.push({ relay, ids: messages.map((m) => m.id) });
        } finally {
          inFlight--;
        }
      },
    });
    const relays = {
      a: startRelay(db.handle, { broker: observed('a'), batchSize: 10 }),
      b: startRelay(replica, { broker: observed('b'), batchSize: 10 }),
    };
    try {
      const before = Array.from({ length: 55 }, () => walletOpened());
      for (const e of before) await db.handle.db.transaction((tx) => enqueue(tx, e));
      await waitFor('the first events', () => before.every((e) => rx.received.has(e.id)));
      const leader = publications[0]?.relay as 'a' | 'b';
      expect(new Set(publications.map((p) => p.relay))).toEqual(new Set([leader]));

      await relays[leader].stop();
      const standby = leader === 'a' ? 'b' : 'a';
      const after = Array.from({ length: 25 }, () => walletOpened());
      await db.handle.db.transaction((tx) => enqueue(tx, after));
      await waitFor('the later events', () => after.every((e) => rx.received.has(e.id)));
      const afterIds = new Set(after.map((e) => e.id));
      const publishersOfLater = publications
        .filter((p) => p.ids.some((id) => afterIds.has(id)))
        .map((p) => p.relay);
      expect(new Set(publishersOfLater)).toEqual(new Set([standby]));
      expect(maxInFlight).toBe(1);
    } finally {
      await Promise.all([relays.a.stop(), relays.b.stop()]);
    }
  });

  it('stands down when its lock connection dies, and publishing resumes under a new leader', async () => {
    await using db = await createTestDatabase({ leaseHeartbeatMs: 100 });
    const replica = await db.open({ leaseHeartbeatMs: 100 });
    await using rx = await receiver('lost');
    await using _a = startRelay(db.handle);
    await using _b = startRelay(replica);
    const first = walletOpened();
    await db.handle.db.transaction((tx) => enqueue(tx, first));
    await waitFor('the first event', () => rx.received.has(first.id));

    const lockHolder = async () => {
      const rows = (await db.handle.db.execute(sql`
        select l.pid from pg_locks l join pg_stat_activity a on a.pid = l.pid
        where l.locktype = 'advisory' and l.granted and a.datname = current_database()
          and a.application_name = 'lock:outbox-relay:test'`)) as unknown as Array<{ pid: number }>;
      return rows[0]?.pid;
    };
    const holder = await lockHolder();
    expect(holder).toBeTypeOf('number');
    await db.handle.db.execute(sql`select pg_terminate_backend(${holder})`);
    await waitFor('a new lock holder', async () => {
      const next = await lockHolder();
      return next !== undefined && next !== holder;
    });

    const second = walletOpened();
    await db.handle.db.transaction((tx) => enqueue(tx, second));
    await waitFor('the event after the takeover', () => rx.received.has(second.id));
    await waitFor('every row published', async () => (await unpublished(db.handle)) === 0);
  });

  it('prunes published rows past the retention, never unpublished ones', async () => {
    await using db = await createTestDatabase();
    const [old, recent, pending] = [walletOpened(), walletOpened(), walletOpened()] as [Event, Event, Event];
    await db.handle.db.transaction((tx) => enqueue(tx, [old, recent, pending]));
    await db.handle.db
      .update(outbox)
      .set({ publishedAt: sql`now() - interval '2 days'` })
      .where(eq(outbox.id, old.id));
    await db.handle.db.update(outbox).set({ publishedAt: sql`now()` }).where(eq(outbox.id, recent.id));
    await db.handle.db
      .update(outbox)
      .set({ createdAt: sql`now() - interval '30 days'` })
      .where(inArray(outbox.id, [pending.id]));

    expect(await pruneOutbox(db.handle.db, 24 * 3600 * 1000)).toBe(1);
    const left = await db.handle.db.select({ id: outbox.id }).from(outbox);
    expect(left.map((r) => r.id).sort()).toEqual([recent.id, pending.id].sort());
  });
});
