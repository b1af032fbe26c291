import { createEvent, type Event } from '@walletgraph/events';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { BatchOptions, EffectHandlers, EventHandlers, EventTopics } from '../src/consumer.ts';
import type { Transaction } from '../src/db/database.ts';
import { rowsOf } from '../src/db/rows.ts';
import { inbox, outbox } from '../src/db/tables.ts';
import { currentTrace } from '../src/logger.ts';
import { type Broker, type Delivery, PermanentError } from '../src/messaging/broker.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { type BrokerKind, createHarness, messageOf, walletOpened } from './support/brokers.ts';
import { archivedFor, effectsOf, startTestConsumer } from './support/consumers.ts';
import { createTestDatabase, type TestDatabase, type TestSchema, waitFor } from './support/infra.ts';
import { useForSuite } from './support/use-for-suite.ts';

const kinds: BrokerKind[] = ['amqp', 'in-process'];

/** Batches of one consumer committing at once before arrivals wait (MAX_COMMITTING in consumer-batch.ts). */
const COMMITTING_AT_ONCE = 4;

/** A ledger entry moving 1.00 EUR between a wallet and another wallet or a jar. */
function ledgerPosted(operationId: string | null, [from, to]: ['wallet', 'wallet' | 'jar']) {
  const account = (kind: 'wallet' | 'jar') =>
    kind === 'jar' ? `jar:${crypto.randomUUID()}` : `wallet:${crypto.randomUUID()}:available`;
  const entryId = crypto.randomUUID();
  return createEvent(
    'ledger.posted.v1',
    {
      aggregateId: entryId,
      data: {
        idempotencyKey: `test:${entryId}`,
        operationId,
        entryId,
        sequence: '1',
        postings: [
          { account: account(from), amount: '-100', currency: 'EUR', balanceAfter: '0' },
          { account: account(to), amount: '100', currency: 'EUR', balanceAfter: '100' },
        ],
        walletIds: [],
      },
    },
    { correlationId: crypto.randomUUID() },
  );
}

/** The trace context a handler of `event` must run in. */
function traceFor(event: Event) {
  return { correlationId: event.correlationId, causationId: event.id, traceparent: null };
}

/** The transaction a handler runs in: its id, and the messages whose inbox rows it has written. */
async function transactionOf(tx: Transaction<TestSchema>): Promise<{ id: string; inboxed: string[] }> {
  const [current] = rowsOf<{ id: string }>(await tx.execute(sql`select txid_current()::text as id`));
  const inboxed = rowsOf<{ id: string }>(
    await tx.execute(sql`select message_id::text as id from inbox where xmin = pg_current_xact_id()::xid`),
  );
  return { id: current!.id, inboxed: inboxed.map((r) => r.id).sort() };
}

describe.each(kinds)('consumer over the %s broker', { timeout: 30_000 }, (kind) => {
  const db = useForSuite(() => createTestDatabase(), { startMs: 120_000, stopMs: 60_000 });
  const harness = useForSuite(() => createHarness(kind), { startMs: 120_000, stopMs: 60_000 });

  const startConsumer = (
    label: string,
    handlers: EventHandlers<TestSchema>,
    options: {
      prefetch?: number;
      retryDelaysMs?: number[];
      batch?: BatchOptions;
      effectHandlers?: EffectHandlers;
      topics?: EventTopics;
      db?: TestDatabase['handle'];
      broker?: Broker;
    } = {},
  ) =>
    startTestConsumer(harness, label, {
      db: options.db ?? db.handle,
      broker: options.broker,
      handlers,
      ...(options.effectHandlers ? { effectHandlers: options.effectHandlers } : {}),
      ...(options.topics ? { topics: options.topics } : {}),
      ...(options.batch ? { batch: options.batch } : {}),
      prefetch: options.prefetch ?? 4,
      retryDelaysMs: options.retryDelaysMs ?? [50, 100],
    });

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

  /** The message ids of the consumer's inbox rows, sorted. */
  const inboxOf = async (consumer: string) =>
    (await db.handle.db.select().from(inbox).where(eq(inbox.consumer, consumer)))
      .map((r) => r.messageId)
      .sort();

  /**
   * The broker under test, recording how each delivery's handling settled: resolved (then the
   * broker acknowledges it) or thrown (then the broker retries or dead-letters it).
   */
  function watchedBroker() {
    const settled: { id: string; attempt: number; ok: boolean }[] = [];
    const b = harness.broker;
    const broker: Broker = {
      kind: b.kind,
      publish: (messages) => b.publish(messages),
      ping: () => b.ping(),
      close: () => b.close(),
      retireConsumer: (name, delays) => b.retireConsumer(name, delays),
      consume: (spec) =>
        b.consume({
          ...spec,
          async handle(d) {
            try {
              await spec.handle(d);
            } catch (error) {
              settled.push({ id: d.id, attempt: d.attempt, ok: false });
              throw error;
            }
            settled.push({ id: d.id, attempt: d.attempt, ok: true });
          },
        }),
    };
    return { broker, settled };
  }

  /** The test database, counting the transactions opened on it. */
  function countingDatabase() {
    const opened = { transactions: 0 };
    const inner = db.handle.db;
    const counting = new Proxy(inner, {
      get(target, property, receiver) {
        if (property !== 'transaction') return Reflect.get(target, property, receiver);
        const transaction: typeof inner.transaction = (...args) => {
          opened.transactions++;
          return target.transaction(...args);
        };
        return transaction;
      },
    });
    return { handle: { ...db.handle, db: counting }, opened };
  }

  it('handles a redelivered message once, thanks to the inbox', async () => {
    const handled: string[] = [];
    await using c = await startConsumer(
      'dup',
      {
        'wallet.opened.v1': async (event, tx) => {
          handled.push(event.id);
          await enqueue(tx, archivedFor(event));
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
        await enqueue(tx, archivedFor(event));
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

  it('handles one-event messages that arrive together in shared transactions, each exactly once and in its own trace', async () => {
    const calls: { id: string; tx: string; inboxed: string[]; trace: unknown }[] = [];
    await using c = await startConsumer(
      'group-commit',
      {
        'wallet.opened.v1': async (event, tx) => {
          const { id, inboxed } = await transactionOf(tx);
          calls.push({ id: event.id, tx: id, inboxed, trace: currentTrace() });
          await enqueue(tx, archivedFor(event));
        },
      },
      { prefetch: 16 },
    );
    const events = Array.from({ length: 40 }, (_, i) => walletOpened(`w${i}`));
    // The same message twice, as after a relay crash: one call, one inbox row, one effect.
    await publish(...events, events[3]!);

    await waitFor('every message handled', async () => (await inboxOf(c.name)).length === events.length);
    expect(calls.map((call) => call.id).sort()).toEqual(events.map((e) => e.id).sort());
    expect(await effectsOf(db, events)).toEqual(events.map(() => 1));
    expect(await inboxOf(c.name)).toEqual(events.map((e) => e.id).sort());

    const byTransaction = Map.groupBy(calls, (call) => call.tx);
    expect(Math.max(...[...byTransaction.values()].map((group) => group.length))).toBeGreaterThan(1);
    for (const group of byTransaction.values()) {
      expect(group.length).toBeLessThanOrEqual(16);
      // The batch's one transaction holds the inbox rows of the events handled in it, and only those.
      for (const call of group) expect(call.inboxed).toEqual(group.map((g) => g.id).sort());
    }
    for (const event of events) {
      expect(calls.find((call) => call.id === event.id)!.trace).toEqual(traceFor(event));
    }
  });

  it('handles a lone message at once, alone in its transaction', async () => {
    const calls: { id: string; inboxed: string[] }[] = [];
    await using _c = await startConsumer(
      'lone',
      {
        'wallet.opened.v1': async (event, tx) => {
          calls.push({ id: event.id, inboxed: (await transactionOf(tx)).inboxed });
        },
      },
      { prefetch: 64 },
    );
    const event = walletOpened();
    await publish(event);

    await waitFor('the message handled', () => calls.length === 1, { timeoutMs: 2000 });
    expect(calls).toEqual([{ id: event.id, inboxed: [event.id] }]);
  });

  it('fails a poison message of a shared transaction alone: its neighbours commit once, it is retried alone and dead-lettered', async () => {
    const poison = walletOpened('poison');
    const good = Array.from({ length: 6 }, (_, i) => walletOpened(`good${i}`));
    const blockers = Array.from({ length: COMMITTING_AT_ONCE }, (_, i) => walletOpened(`blocker${i}`));
    const { promise: poisonSeen, resolve: releaseBlockers } = Promise.withResolvers<void>();
    const calls: { id: string; tx: string }[] = [];
    const batch = [good[0]!, good[1]!, good[2]!, poison, good[3]!, good[4]!, good[5]!];
    await using c = await startConsumer(
      'shared-poison',
      {
        'wallet.opened.v1': async (event, tx) => {
          calls.push({ id: event.id, tx: (await transactionOf(tx)).id });
          // Each blocker holds its transaction open until the poison has been tried.
          if (blockers.some((b) => b.id === event.id)) await Promise.race([poisonSeen, delay(10_000)]);
          // Writes first, so a failed transaction must roll its neighbours' effects back.
          await enqueue(tx, archivedFor(event));
          if (event.id === poison.id) {
            releaseBlockers();
            throw new Error('poison command');
          }
        },
      },
      { prefetch: 16, batch: { size: batch.length } },
    );
    // While as many batches as may commit at once are committing, arrivals wait and close one
    // batch when it is full: the poison and its neighbours then share a transaction for certain.
    for (const blocker of blockers) {
      await publish(blocker);
      await waitFor('the blocker in its transaction', () => calls.some((call) => call.id === blocker.id));
    }
    await publish(...batch);

    const dead = await waitFor('the poison message in the DLQ', async () =>
      (await harness.deadLetters(c.name)).find((d) => d.id === poison.id),
    );
    expect(dead).toEqual({ id: poison.id, reason: 'retries-exhausted', error: 'Error: poison command' });
    // One call per delivery: the first attempt in the shared transaction, then the retries, alone.
    const poisonCalls = calls.filter((call) => call.id === poison.id);
    expect(poisonCalls).toHaveLength(3);
    const shared = calls.filter((call) => call.tx === poisonCalls[0]!.tx).map((call) => call.id);
    expect(shared).toEqual([good[0]!.id, good[1]!.id, good[2]!.id, poison.id]);
    for (const retry of poisonCalls.slice(1)) {
      expect(calls.filter((call) => call.tx === retry.tx).map((call) => call.id)).toEqual([poison.id]);
    }
    // The rest of the batch went again together, without the poison, and committed once.
    const committed = new Set(good.map((g) => calls.findLast((call) => call.id === g.id)!.tx));
    expect(committed.size).toBe(1);
    expect(await effectsOf(db, good)).toEqual(good.map(() => 1));
    expect(await effectsOf(db, [poison])).toEqual([0]);
    await waitFor(
      'the blockers and the neighbours committed',
      async () => (await inboxOf(c.name)).length === blockers.length + good.length,
    );
    expect(await inboxOf(c.name)).toEqual([...blockers, ...good].map((e) => e.id).sort());
  });

  it('runs effect handlers in the message trace, with no transaction and no inbox row, retrying one that throws', async () => {
    const { broker, settled } = watchedBroker();
    const { handle, opened } = countingDatabase();
    const flaky = walletOpened('flaky');
    const events = [walletOpened('a'), flaky, walletOpened('b')];
    const calls: { id: string; trace: unknown }[] = [];
    await using c = await startConsumer(
      'effects',
      {},
      {
        db: handle,
        broker,
        effectHandlers: {
          'wallet.opened.v1': async (event) => {
            calls.push({ id: event.id, trace: currentTrace() });
            if (event.id === flaky.id && calls.filter((call) => call.id === flaky.id).length === 1) {
              throw new Error('notice not sent');
            }
          },
        },
      },
    );
    await publish(...events);

    await waitFor('every effect done', () => events.every((e) => settled.some((s) => s.id === e.id && s.ok)));
    expect(events.map((e) => calls.filter((call) => call.id === e.id).length)).toEqual([1, 2, 1]);
    expect(settled.filter((s) => s.id === flaky.id)).toEqual([
      { id: flaky.id, attempt: 1, ok: false },
      { id: flaky.id, attempt: 2, ok: true },
    ]);
    for (const call of calls) expect(call.trace).toEqual(traceFor(events.find((e) => e.id === call.id)!));
    expect(opened.transactions).toBe(0);
    expect(await inboxOf(c.name)).toEqual([]);
    expect(await harness.deadLetters(c.name)).toEqual([]);
  });

  it('is bound to the topics it acts on; one delivered anyway is acknowledged without a transaction', async () => {
    const { broker, settled } = watchedBroker();
    const { handle, opened } = countingDatabase();
    const transfer = ledgerPosted(null, ['wallet', 'wallet']);
    const allocation = ledgerPosted(null, ['wallet', 'jar']);
    const misrouted = ledgerPosted(null, ['wallet', 'wallet']);
    const handled: string[] = [];
    await using c = await startConsumer(
      'topics',
      {
        'ledger.posted.v1': async (event) => {
          handled.push(event.id);
        },
      },
      { db: handle, broker, topics: { 'ledger.posted.v1': ['*.jars'] } },
    );
    await publish(transfer);
    // As a binding left from before would deliver it: under a key this consumer is bound to.
    await broker.publish([
      { ...messageOf(misrouted), routingKey: 'ledger.posted.v1.internal.jars' },
      messageOf(allocation),
    ]);

    await waitFor('the two deliveries settled', () =>
      [misrouted, allocation].every((e) => settled.some((s) => s.id === e.id)),
    );
    expect(settled.map((s) => s.id)).not.toContain(transfer.id);
    expect(settled.filter((s) => s.id === misrouted.id)).toEqual([
      { id: misrouted.id, attempt: 1, ok: true },
    ]);
    expect(handled).toEqual([allocation.id]);
    expect(opened.transactions).toBe(1);
    expect(await inboxOf(c.name)).toEqual([allocation.id]);
    expect(await harness.deadLetters(c.name)).toEqual([]);
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
      routingKey: 'wallet.opened.v1',
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
