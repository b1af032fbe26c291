import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { operations, outbox } from '../db/schema.ts';
import { type AnnouncedBudget, newKey, OPERATION, SPEND_FROM_JAR } from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

/** The subgraph's clock: operations are created, and budget periods drawn, at its time. */
let now = new Date('2026-11-10T12:00:00Z');
const h = useTransactionsHarness({ clock: { now: () => new Date(now) } });
const alice = useUser(h);

/** 10.00 EUR a month, refusing spends past it. */
const blocking: AnnouncedBudget = { limit: '1000', period: 'MONTHLY', blocksOverspend: true };

const spend = (jarId: string, amount: string, idempotencyKey = newKey()) =>
  h.execute(
    SPEND_FROM_JAR,
    { input: { jarId, amount: { amount, currency: 'EUR' }, idempotencyKey }, waitMs: 0 },
    alice.token,
  );

/** Spends and returns the operation, which must have been created (no GraphQL error). */
async function spent(jarId: string, amount: string, key?: string) {
  const res = await spend(jarId, amount, key);
  expect(res.errors).toEqual([]);
  return res.data.spendFromJar as { id: string; status: string; failureCode: string | null };
}

async function settle(operationId: string) {
  await h.deliver(h.ledgerAnswer(operationId, { posted: true }));
  const res = await h.execute(OPERATION, { id: operationId }, alice.token);
  return res.data.operation;
}

const commandsFor = async (operationId: string) =>
  (await h.ledgerCommands()).filter((c) => c.operationId === operationId);

/** Rows in `operations` and `outbox`: what a retry must leave as it was. */
async function counts() {
  return { operations: await h.count(operations), outbox: await h.count(outbox) };
}

describe('a jar whose budget blocks overspending', () => {
  it('settles spends up to the limit normally, and refuses one minor unit more: FAILED BUDGET_EXCEEDED, no ledger command', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, blocking);
    const first = await spent(jar, '4.00');
    expect(first.status).toBe('PENDING');
    expect(await settle(first.id)).toMatchObject({ status: 'COMPLETED' });
    const toTheLimit = await spent(jar, '6.00');
    expect(toTheLimit).toMatchObject({ status: 'PENDING', failureCode: null });
    expect(await commandsFor(toTheLimit.id)).toHaveLength(1);
    expect(await settle(toTheLimit.id)).toMatchObject({ status: 'COMPLETED' });

    const key = newKey();
    const over = await spent(jar, '0.01', key);
    expect(over).toMatchObject({ status: 'FAILED', failureCode: 'BUDGET_EXCEEDED' });
    expect(await commandsFor(over.id)).toEqual([]);
    expect((await h.settledEvents()).filter((e) => e.operationId === over.id)).toEqual([
      expect.objectContaining({ kind: 'JAR_SPEND', status: 'FAILED', failureCode: 'BUDGET_EXCEEDED' }),
    ]);

    const before = await counts();
    const retry = await spent(jar, '0.01', key);
    expect(retry).toEqual(over);
    expect(await counts()).toEqual(before);
  });

  it('counts a spend still waiting for the ledger against the budget', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, blocking);
    const waiting = await spent(jar, '10.00');
    expect(waiting.status).toBe('PENDING');
    expect(await spent(jar, '0.01')).toMatchObject({ status: 'FAILED', failureCode: 'BUDGET_EXCEEDED' });
  });

  it('frees the share of a spend the ledger refused', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, blocking);
    const refused = await spent(jar, '10.00');
    await h.deliver(h.ledgerAnswer(refused.id, { rejected: 'INSUFFICIENT_FUNDS' }));
    const again = await spent(jar, '10.00');
    expect(again).toMatchObject({ status: 'PENDING', failureCode: null });
    expect(await commandsFor(again.id)).toHaveLength(1);
  });

  it('gives each calendar period the whole limit again', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, blocking);
    await settle((await spent(jar, '10.00')).id);
    expect(await spent(jar, '1.00')).toMatchObject({ status: 'FAILED', failureCode: 'BUDGET_EXCEEDED' });
    now = new Date('2026-12-01T00:00:00Z');
    try {
      expect(await spent(jar, '10.00')).toMatchObject({ status: 'PENDING' });
    } finally {
      now = new Date('2026-11-10T12:00:00Z');
    }
  });

  it('lets only as many of 8 concurrent spends through as fit the limit', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, blocking);
    const results = await Promise.all(Array.from({ length: 8 }, () => spend(jar, '2.50')));
    for (const res of results) expect(res.errors).toEqual([]);
    const ops = results.map((res) => res.data.spendFromJar as { id: string; status: string });
    const accepted = ops.filter((op) => op.status === 'PENDING');
    const refused = ops.filter((op) => op.status === 'FAILED');
    // 4 × 2.50 is exactly the 10.00 limit.
    expect(accepted).toHaveLength(4);
    expect(refused).toHaveLength(4);
    for (const op of refused) expect(op).toMatchObject({ failureCode: 'BUDGET_EXCEEDED' });
    const commands = (await h.ledgerCommands()).filter((c) => ops.some((op) => op.id === c.operationId));
    expect(commands.map((c) => c.operationId).sort()).toEqual(accepted.map((op) => op.id).sort());
    const rows = await h.service.db.db.select().from(operations).where(eq(operations.jarId, jar));
    const total = rows.filter((r) => r.status !== 'FAILED').reduce((sum, r) => sum + r.amountMinor, 0n);
    expect(total).toBe(1000n);
  });
});

describe('a jar whose budget does not block overspending', () => {
  it('keeps allowing spends past the limit: the ledger alone refuses what the jar does not hold', async () => {
    const jar = await h.createExpenseJar(alice.userId, alice.walletId, {
      ...blocking,
      blocksOverspend: false,
    });
    await settle((await spent(jar, '10.00')).id);
    const past = await spent(jar, '15.00');
    expect(past).toMatchObject({ status: 'PENDING', failureCode: null });
    expect(await commandsFor(past.id)).toHaveLength(1);
  });
});
