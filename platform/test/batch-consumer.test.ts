import type { Event } from '@walletgraph/events';
import { eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type BatchEventHandlers, createConsumer } from '../src/consumer.ts';
import { inbox } from '../src/db/tables.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { type BrokerKind, createHarness, messageOf, walletOpened } from './support/brokers.ts';
import { archivedFor, effectsOf, startTestConsumer } from './support/consumers.ts';
import { createTestDatabase, type TestSchema, testLogger, waitFor } from './support/infra.ts';
import { useForSuite } from './support/use-for-suite.ts';

const kinds: BrokerKind[] = ['amqp', 'in-process'];

describe.each(kinds)('batched consumer over the %s broker', { timeout: 60_000 }, (kind) => {
  const db = useForSuite(() => createTestDatabase(), { startMs: 120_000, stopMs: 60_000 });
  const harness = useForSuite(() => createHarness(kind), { startMs: 120_000, stopMs: 60_000 });

  const startConsumer = (
    label: string,
    batchHandlers: BatchEventHandlers<TestSchema>,
    options: { prefetch?: number; lingerMs?: number; size?: number } = {},
  ) =>
    startTestConsumer(harness, label, {
      db: db.handle,
      batchHandlers,
      batch: { lingerMs: options.lingerMs ?? 20, ...(options.size ? { size: options.size } : {}) },
      prefetch: options.prefetch ?? 16,
      retryDelaysMs: [50, 100],
    });

  const publish = (...events: Event[]) => harness.broker.publish(events.map(messageOf));
  /** The inbox rows of these events, whichever consumer wrote them. */
  const inboxRowsOf = (events: readonly Event[]) =>
    db.handle.db
      .select()
      .from(inbox)
      .where(
        inArray(
          inbox.messageId,
          events.map((e) => e.id),
        ),
      );

  it('handles messages that arrive together in shared transactions, each exactly once', async () => {
    const batches: string[][] = [];
    await using c = await startConsumer('shared', {
      'wallet.opened.v1': async (events, tx) => {
        batches.push(events.map((e) => e.id));
        await enqueue(tx, events.map(archivedFor));
      },
    });
    const events = Array.from({ length: 40 }, (_, i) => walletOpened(`w${i}`));
    // The same message twice, as after a relay crash: one inbox row, one effect.
    await publish(...events, events[3]!);

    // Committed, not just handed over: the handler sees a batch before its transaction commits.
    await waitFor('every message committed', async () => {
      const rows = await db.handle.db.select().from(inbox).where(eq(inbox.consumer, c.name));
      return rows.length >= events.length;
    });
    expect(Math.max(...batches.map((b) => b.length))).toBeGreaterThan(1);
    expect(batches.every((b) => b.length <= 16)).toBe(true);
    expect(batches.flat().sort()).toEqual(events.map((e) => e.id).sort());
    expect(await effectsOf(db, events)).toEqual(events.map(() => 1));
    const rows = await db.handle.db.select().from(inbox).where(eq(inbox.consumer, c.name));
    expect(rows).toHaveLength(events.length);
  });

  it('does not keep a lone message waiting for a full batch', async () => {
    const handled: number[] = [];
    await using _c = await startConsumer(
      'lone',
      {
        'wallet.opened.v1': async (events) => {
          handled.push(events.length);
        },
      },
      { prefetch: 64, lingerMs: 5 },
    );
    await publish(walletOpened());
    await waitFor('the message handled', () => handled.length === 1, { timeoutMs: 5000 });
    expect(handled).toEqual([1]);
  });

  it('retries a failed batch message by message: the poison fails alone, its neighbours commit once', async () => {
    const poison = walletOpened('poison');
    const good = Array.from({ length: 6 }, (_, i) => walletOpened(`good${i}`));
    const sizes: number[] = [];
    await using c = await startConsumer(
      'poison',
      {
        'wallet.opened.v1': async (events, tx) => {
          sizes.push(events.length);
          // Writes first, so a failed batch must roll its neighbours' effects back.
          await enqueue(tx, events.map(archivedFor));
          if (events.some((e) => e.id === poison.id)) throw new Error('poison command');
        },
      },
      { lingerMs: 50 },
    );
    await publish(good[0]!, good[1]!, good[2]!, poison, good[3]!, good[4]!, good[5]!);

    const dead = await waitFor('the poison message in the DLQ', async () =>
      (await harness.deadLetters(c.name)).find((d) => d.id === poison.id),
    );
    expect(dead).toMatchObject({
      reason: 'retries-exhausted',
      error: expect.stringContaining('poison command'),
    });
    expect(sizes[0]).toBeGreaterThan(1);
    expect(await effectsOf(db, good)).toEqual(good.map(() => 1));
    expect(await effectsOf(db, [poison])).toEqual([0]);
    const rows = await inboxRowsOf([...good, poison]);
    expect(rows.map((r) => r.messageId).sort()).toEqual(good.map((e) => e.id).sort());
  });

  it('defers one message of a batch: its neighbours commit once, it is retried alone and handled then', async () => {
    const early = walletOpened('early');
    const good = Array.from({ length: 5 }, (_, i) => walletOpened(`ready${i}`));
    const sizes: number[] = [];
    let deferrals = 0;
    await using c = await startConsumer(
      'defer',
      {
        'wallet.opened.v1': async (events, tx, ctx) => {
          sizes.push(events.length);
          // Not ready on its first delivery (its precondition is on its way), ready on the retry.
          const now = events.filter((e) => {
            if (e.id !== early.id || deferrals > 0) return true;
            deferrals++;
            ctx.defer(e, 'its precondition is on its way');
            return false;
          });
          await enqueue(tx, now.map(archivedFor));
        },
      },
      { lingerMs: 50 },
    );
    await publish(good[0]!, good[1]!, early, good[2]!, good[3]!, good[4]!);

    await waitFor('every message handled', async () =>
      (await effectsOf(db, [...good, early])).every((n) => n === 1),
    );
    expect(deferrals).toBe(1);
    // The batch that deferred it committed its neighbours; the retry came alone, later.
    expect(sizes[0]).toBeGreaterThan(1);
    expect(sizes.at(-1)).toBe(1);
    expect(await effectsOf(db, [...good, early])).toEqual([...good, early].map(() => 1));
    expect(await harness.deadLetters(c.name)).toEqual([]);
    const rows = await inboxRowsOf([...good, early]);
    expect(rows).toHaveLength(good.length + 1);
  });

  it('runs after-commit tasks once the batch is committed, and never for a batch that failed', async () => {
    const seenCommitted: boolean[] = [];
    let failNext = true;
    await using c = await startConsumer('after-commit', {
      'wallet.opened.v1': async (events, _tx, ctx) => {
        ctx.afterCommit(async () => {
          // Another connection sees the inbox rows: the transaction has committed.
          const other = await inboxRowsOf(events);
          seenCommitted.push(other.length === events.length);
        });
        if (failNext) {
          failNext = false;
          throw new Error('first attempt fails');
        }
      },
    });
    await publish(walletOpened());
    await waitFor('the retried message handled', async () => {
      const rows = await db.handle.db.select().from(inbox).where(eq(inbox.consumer, c.name));
      return rows.length === 1 && seenCommitted.length === 1;
    });
    expect(seenCommitted).toEqual([true]);
  });
});

describe('batched consumer configuration', () => {
  it('refuses a type with both a handler and a batch handler', () => {
    const options = {
      name: 'both',
      db: {} as never,
      broker: {} as never,
      logger: testLogger(),
      handlers: { 'wallet.opened.v1': async () => {} },
      batchHandlers: { 'wallet.opened.v1': async () => {} },
    };
    expect(() => createConsumer(options)).toThrow(/has a handler and a batch handler/);
  });
});
