import { causedBy, createEvent, type Event } from '@walletgraph/events';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, createConsumer, type EventHandlers } from '../src/consumer.ts';
import { inbox, outbox } from '../src/db/tables.ts';
import { currentTrace } from '../src/logger.ts';
import { type Delivery, PermanentError } from '../src/messaging/broker.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import {
  type BrokerHarness,
  type BrokerKind,
  createHarness,
  messageOf,
  walletOpened,
} from './support/brokers.ts';
import {
  createTestDatabase,
  type TestDatabase,
  type TestSchema,
  testLogger,
  waitFor,
} from './support/infra.ts';

const kinds: BrokerKind[] = ['amqp', 'in-process'];

describe.each(kinds)('consumer over the %s broker', { timeout: 30_000 }, (kind) => {
  let db: TestDatabase;
  let harness: BrokerHarness;

  beforeAll(async () => {
    db = await createTestDatabase();
    harness = await createHarness(kind);
  }, 120_000);

  afterAll(async () => {
    await harness?.[Symbol.asyncDispose]();
    await db?.[Symbol.asyncDispose]();
  }, 60_000);

  async function startConsumer(
    label: string,
    handlers: EventHandlers<TestSchema>,
    options: { prefetch?: number; retryDelaysMs?: number[] } = {},
  ): Promise<Consumer & AsyncDisposable & { name: string }> {
    const name = harness.consumerName(label);
    const consumer = createConsumer({
      name,
      db: db.handle,
      broker: harness.broker,
      logger: testLogger(name),
      handlers,
      prefetch: options.prefetch ?? 4,
      retryDelaysMs: options.retryDelaysMs ?? [50, 100],
    });
    await consumer.start();
    return { ...consumer, name, [Symbol.asyncDispose]: () => consumer.stop() };
  }

  /** A raw broker subscription (no inbox), to see every delivery as the broker makes it. */
  async function subscribe(label: string, handle: (d: Delivery) => Promise<void>) {
    const name = harness.consumerName(label);
    const sub = await harness.broker.consume({
      name,
      routingKeys: ['wallet.opened.v1'],
      prefetch: 1,
      retryDelaysMs: [50],
      handle,
    });
    return { name, [Symbol.asyncDispose]: () => sub.stop() };
  }

  const publish = (...events: Event[]) => harness.broker.publish(events.map(messageOf));

  it('handles a redelivered message once, thanks to the inbox', async () => {
    const handled: string[] = [];
    await using c = await startConsumer(
      'dup',
      {
        'wallet.opened.v1': async (event, tx) => {
          handled.push(event.id);
          const archived = createEvent(
            'wallet.archived.v1',
            {
              aggregateId: event.data.walletId,
              data: { walletId: event.data.walletId, ownerId: event.data.ownerId },
            },
            causedBy(event),
          );
          await enqueue(tx, archived);
        },
      },
      { prefetch: 1 },
    );
    const event = walletOpened();
    const sentinel = walletOpened('sentinel');
    await publish(event);
    await publish(event);
    await publish(sentinel);

    await waitFor('the sentinel to be handled', () => handled.includes(sentinel.id));
    expect(handled.filter((id) => id === event.id)).toHaveLength(1);
    const inboxRows = await db.handle.db.select().from(inbox).where(eq(inbox.consumer, c.name));
    expect(inboxRows.map((r) => r.messageId).sort()).toEqual([event.id, sentinel.id].sort());
    const caused = (await db.handle.db.select().from(outbox)).filter(
      (r) => (r.envelope as Event).causationId === event.id,
    );
    expect(caused).toHaveLength(1);
  });

  it('runs the handler in the inbox transaction and in the message trace context', async () => {
    const traces: unknown[] = [];
    let calls = 0;
    await using c = await startConsumer('tx', {
      'wallet.opened.v1': async (event, tx) => {
        calls++;
        traces.push(currentTrace());
        const archived = createEvent(
          'wallet.archived.v1',
          {
            aggregateId: event.data.walletId,
            data: { walletId: event.data.walletId, ownerId: event.data.ownerId },
          },
          causedBy(event),
        );
        await enqueue(tx, archived);
        if (calls === 1) throw new Error('transient failure after writing');
      },
    });
    const event = walletOpened();
    await publish(event);

    await waitFor('the retry to succeed', async () => {
      const rows = await db.handle.db.select().from(inbox).where(eq(inbox.consumer, c.name));
      return rows.length === 1;
    });
    expect(calls).toBe(2);
    const caused = (await db.handle.db.select().from(outbox)).filter(
      (r) => (r.envelope as Event).causationId === event.id,
    );
    expect(caused).toHaveLength(1);
    expect((caused[0]!.envelope as Event).correlationId).toBe(event.correlationId);
    expect(traces).toEqual([
      { correlationId: event.correlationId, causationId: event.id, traceparent: null },
      { correlationId: event.correlationId, causationId: event.id, traceparent: null },
    ]);
  });

  it('dead-letters a message whose handler always fails after its retries, while later messages keep flowing', async () => {
    const poison = walletOpened('poison');
    const good = Array.from({ length: 5 }, () => walletOpened('good'));
    let poisonAttempts = 0;
    const handledGood = new Set<string>();
    const { promise: allGoodHandled, resolve: allGood } = Promise.withResolvers<void>();
    await using c = await startConsumer(
      'poison',
      {
        'wallet.opened.v1': async (event) => {
          if (event.id === poison.id) {
            poisonAttempts++;
            // The last attempt holds its slot until every later message is through: if the
            // poison blocked the queue, this would time out and the assertions below would fail.
            if (poisonAttempts === 3) await Promise.race([allGoodHandled, delay(10_000)]);
            throw new Error('boom');
          }
          handledGood.add(event.id);
          if (handledGood.size === good.length) allGood();
        },
      },
      { prefetch: 2, retryDelaysMs: [50, 100] },
    );
    await publish(poison);
    await publish(...good);

    const dead = await waitFor('the poison message in the DLQ', async () =>
      (await harness.deadLetters(c.name)).find((d) => d.id === poison.id),
    );
    expect(dead.reason).toBe('retries-exhausted');
    expect(dead.error).toContain('boom');
    expect(poisonAttempts).toBe(3);
    expect(handledGood.size).toBe(good.length);
  });

  it('sends a malformed message straight to the DLQ without calling the handler', async () => {
    const handled: string[] = [];
    await using c = await startConsumer('malformed', {
      'wallet.opened.v1': async (event) => {
        handled.push(event.id);
      },
    });
    const notJson = {
      id: crypto.randomUUID(),
      type: 'wallet.opened.v1',
      correlationId: 'c-1',
      body: '{not json',
    };
    const broken = { ...walletOpened(), data: { walletId: 'not-a-uuid' } };
    const fine = walletOpened();
    await harness.broker.publish([
      notJson,
      { ...messageOf(fine), id: broken.id, body: JSON.stringify(broken) },
    ]);
    await publish(fine);

    await waitFor(
      'both malformed messages in the DLQ',
      async () => (await harness.deadLetters(c.name)).length === 2,
    );
    await waitFor('the valid message to be handled', () => handled.includes(fine.id));
    const dead = await harness.deadLetters(c.name);
    expect(dead.map((d) => d.id).sort()).toEqual([notJson.id, broken.id].sort());
    expect(dead.every((d) => d.reason === 'permanent')).toBe(true);
    expect(handled).toEqual([fine.id]);
  });

  it('retries a failure on the failing consumer only', async () => {
    const seenByA: Delivery[] = [];
    const seenByB: Delivery[] = [];
    await using _a = await subscribe('retry-a', async (d) => {
      seenByA.push(d);
      if (d.attempt === 1) throw new Error('first attempt fails');
    });
    await using _b = await subscribe('retry-b', async (d) => {
      seenByB.push(d);
    });
    const event = walletOpened();
    await publish(event);
    await waitFor('consumer A to get the retry', () => seenByA.some((d) => d.attempt === 2));

    // The retry has been consumed by A; had it also been routed to B, it would be queued ahead of this.
    const sentinel = walletOpened('sentinel');
    await publish(sentinel);
    await waitFor('consumer B to get the sentinel', () => seenByB.some((d) => d.id === sentinel.id));
    expect(seenByB.map((d) => [d.id, d.attempt])).toEqual([
      [event.id, 1],
      [sentinel.id, 1],
    ]);
    expect(seenByA.filter((d) => d.id === event.id).map((d) => d.attempt)).toEqual([1, 2]);
  });

  it('replays a dead letter to its consumer', async () => {
    let broken = true;
    const handled: string[] = [];
    await using c = await startConsumer('replay', {
      'wallet.opened.v1': async (event) => {
        if (broken) throw new PermanentError('downstream rejects it');
        handled.push(event.id);
      },
    });
    const event = walletOpened();
    await publish(event);
    await waitFor('the message in the DLQ', async () => (await harness.deadLetters(c.name)).length === 1);

    broken = false;
    expect(await harness.replayDeadLetters(c.name)).toBe(1);
    await waitFor('the replayed message to be handled', () => handled.includes(event.id));
  });
});

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
