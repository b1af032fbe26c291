import { uuidv7 } from '@walletgraph/events';
import { createLogger } from '@walletgraph/platform/logger';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { operations } from '../db/schema.ts';
import { createSettlementWaiter, SETTLED_CHANNEL, type SettlementWaiter } from '../settlement-waiter.ts';
import { useTransactionsHarness } from './use-harness.ts';

const h = useTransactionsHarness();
const logger = createLogger('waiter-test', process.env.TEST_LOG_LEVEL ?? 'silent');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pendingOperation(): Promise<string> {
  const id = uuidv7();
  await h.service.db.db.insert(operations).values({
    id,
    ownerId: uuidv7(),
    walletId: uuidv7(),
    kind: 'DEPOSIT',
    amountMinor: 100n,
    currency: 'EUR',
    idempotencyKey: id,
    requestHash: 'h',
  });
  return id;
}

/** An operation settled in this process, as the settlement consumer hands it to the waiter. */
async function settledRow() {
  const id = uuidv7();
  const [row] = await h.service.db.db
    .select()
    .from(operations)
    .where(eq(operations.id, await pendingOperation()));
  return { ...row!, id, status: 'COMPLETED' as const, settledAt: new Date() };
}

/** Settles an operation as the settlement consumer does, with or without the NOTIFY at commit. */
async function settle(id: string, notify: boolean): Promise<void> {
  await h.service.db.db.transaction(async (tx) => {
    await tx
      .update(operations)
      .set({ status: 'COMPLETED', settledAt: new Date() })
      .where(eq(operations.id, id));
    if (notify) await tx.execute(sql`select pg_notify(${SETTLED_CHANNEL}, ${id})`);
  });
}

async function withWaiter(pollIntervalMs: number, run: (waiter: SettlementWaiter) => Promise<void>) {
  const waiter = await createSettlementWaiter({ db: h.service.db, logger, pollIntervalMs });
  try {
    await run(waiter);
  } finally {
    await waiter.stop();
  }
}

describe('settlement waiter', () => {
  it('wakes on the settlement’s NOTIFY, long before its next poll', async () => {
    await withWaiter(60_000, async (waiter) => {
      const ids = [await pendingOperation(), await pendingOperation()];
      const waits = ids.map((id) => waiter.waitFor(id, 10_000));
      await sleep(150); // both wait, and the loop sleeps a minute unless notified
      const started = Date.now();
      await settle(ids[0]!, true);
      expect(await waits[0]).toMatchObject({ id: ids[0], status: 'COMPLETED' });
      expect(Date.now() - started).toBeLessThan(2000);
      await settle(ids[1]!, true);
      expect(await waits[1]).toMatchObject({ id: ids[1], status: 'COMPLETED' });
    });
  });

  it('sees a settlement whose notification was lost at the next poll', async () => {
    await withWaiter(100, async (waiter) => {
      const id = await pendingOperation();
      const wait = waiter.waitFor(id, 10_000);
      await sleep(150);
      await settle(id, false);
      expect(await wait).toMatchObject({ id, status: 'COMPLETED' });
    });
  });

  it('sees at once an operation whose settlement was notified before anyone waited', async () => {
    await withWaiter(60_000, async (waiter) => {
      const id = await pendingOperation();
      await settle(id, true);
      await sleep(100); // the notification has arrived, with no one waiting for it yet
      expect(await waiter.waitFor(id, 10_000)).toMatchObject({ id, status: 'COMPLETED' });
    });
  });

  it('hands over what this process settled, with no read', async () => {
    await withWaiter(60_000, async (waiter) => {
      // Rows that exist nowhere in the database: only the hand-over can have answered.
      const [waited, late] = [await settledRow(), await settledRow()];
      const wait = waiter.waitFor(waited.id, 10_000);
      waiter.decided([waited, late]);
      expect(await wait).toBe(waited);
      expect(await waiter.waitFor(late.id, 10_000)).toBe(late);
    });
  });

  it('gives up with null after the timeout, and at once when stopped', async () => {
    await withWaiter(50, async (waiter) => {
      const started = Date.now();
      expect(await waiter.waitFor(await pendingOperation(), 200)).toBeNull();
      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
      const pending = waiter.waitFor(await pendingOperation(), 10_000);
      await waiter.stop();
      expect(await pending).toBeNull();
    });
  });
});
