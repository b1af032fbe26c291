import { createEvent, uuidv7 } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { scraped } from '@walletgraph/platform/test/support/metrics';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { operations } from '../db/schema.ts';
import { DEPOSIT, eur, newKey, OPERATION, type TestUser, TRANSFER, WITHDRAW } from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

const h = useTransactionsHarness();
const alice = useUser(h);
const bob = useUser(h);

async function pendingDeposit(user: TestUser, amount = '5.00'): Promise<string> {
  const res = await h.execute(
    DEPOSIT,
    { input: { walletId: user.walletId, amount: eur(amount), idempotencyKey: newKey() }, waitMs: 0 },
    user.token,
  );
  expect(res.errors).toEqual([]);
  return res.data.deposit.id;
}

async function row(id: string) {
  const [found] = await h.service.db.db.select().from(operations).where(eq(operations.id, id));
  return found!;
}

/** The live notices published about one operation, once `n` have arrived. */
function noticesAbout(id: string, n: number) {
  return waitFor(`${n} operationUpdated notices about ${id}`, () => {
    const notices = h.published.filter((p) => p.topic === 'operationUpdated' && p.notice.id === id);
    return notices.length >= n ? notices : undefined;
  });
}

describe('settlement from the ledger’s answers', () => {
  it('posted: COMPLETED with the entry, announced, and the owner told after commit', async () => {
    const id = await pendingDeposit(alice);
    const answer = h.ledgerAnswer(id, { posted: true });
    await h.deliver(answer);
    const settled = await row(id);
    expect(settled).toMatchObject({
      status: 'COMPLETED',
      failureCode: null,
      ledgerEntryId: (answer.data as { entryId: string }).entryId,
      settledAt: new Date(answer.occurredAt),
    });
    expect((await h.settledEvents()).filter((e) => e.operationId === id)).toEqual([
      expect.objectContaining({ status: 'COMPLETED', ownerId: alice.userId, amount: '500', kind: 'DEPOSIT' }),
    ]);
    expect(await noticesAbout(id, 1)).toEqual([
      { userId: alice.userId, topic: 'operationUpdated', notice: { id } },
    ]);
  });

  it('rejected: FAILED with the reason as failure code', async () => {
    const res = await h.execute(
      WITHDRAW,
      { input: { walletId: alice.walletId, amount: eur('1000'), idempotencyKey: newKey() }, waitMs: 0 },
      alice.token,
    );
    const id = res.data.withdraw.id;
    await h.deliver(h.ledgerAnswer(id, { rejected: 'INSUFFICIENT_FUNDS' }));
    expect(await row(id)).toMatchObject({
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
      ledgerEntryId: null,
    });
    const seen = await h.execute(OPERATION, { id }, alice.token);
    expect(seen.data.operation).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
  });

  it('settles once: the answer again (same message, a copy, a contradicting one) changes nothing', async () => {
    const id = await pendingDeposit(alice);
    const answer = h.ledgerAnswer(id, { posted: true });
    await h.deliver(answer);
    const settled = await row(id);
    await noticesAbout(id, 1);

    // Redelivered as is (the inbox skips it), re-emitted under a new id, and contradicted: the
    // last one is delivered after the others and on one consumer, so all have been handled.
    const copy = { ...answer, id: uuidv7() };
    const contradiction = h.ledgerAnswer(id, { rejected: 'INSUFFICIENT_FUNDS' });
    await h.deliver(answer, copy, contradiction);

    expect(await row(id)).toEqual(settled);
    expect((await h.settledEvents()).filter((e) => e.operationId === id)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.published.filter((p) => p.topic === 'operationUpdated' && p.notice.id === id)).toHaveLength(1);
  });

  it('answers to commands no operation of ours sent are acknowledged and change nothing', async () => {
    const before = await h.count(operations);
    const foreign = h.ledgerAnswer(uuidv7(), { posted: true });
    const noOperation = createEvent(
      'ledger.rejected.v1',
      {
        aggregateId: 'jar-period',
        data: { idempotencyKey: 'jar:period', operationId: null, reason: 'INSUFFICIENT_FUNDS', detail: '' },
      },
      { correlationId: 'test' },
    );
    await h.deliver(foreign, noOperation);
    expect(await h.count(operations)).toBe(before);
  });

  it('a completed transfer is told to both sides, and the recipient then sees it from theirs', async () => {
    const key = newKey();
    const res = await h.execute(
      TRANSFER,
      {
        input: {
          fromWalletId: alice.walletId,
          toEmail: bob.email,
          amount: eur('2.50'),
          idempotencyKey: key,
          note: 'lunch',
        },
        waitMs: 0,
      },
      alice.token,
    );
    const id = res.data.transfer.id;
    expect((await h.execute(OPERATION, { id }, bob.token)).data.operation).toBeNull();

    await h.deliver(h.ledgerAnswer(id, { posted: true }));
    const notices = await noticesAbout(id, 2);
    expect(new Set(notices.map((n) => n.userId))).toEqual(new Set([alice.userId, bob.userId]));

    const asBob = await h.execute(OPERATION, { id }, bob.token);
    expect(asBob.data.operation).toMatchObject({
      id,
      kind: 'TRANSFER',
      status: 'COMPLETED',
      direction: 'IN',
      amount: { amount: '2.50', currency: 'EUR' },
      wallet: { id: bob.walletId },
      counterpartyWallet: { id: alice.walletId },
      note: 'lunch',
      idempotencyKey: '',
    });
    const asAlice = await h.execute(OPERATION, { id }, alice.token);
    expect(asAlice.data.operation).toMatchObject({
      direction: 'OUT',
      wallet: { id: alice.walletId },
      counterpartyWallet: { id: bob.walletId },
      idempotencyKey: key,
    });
  });

  it('a failed transfer is told to its sender only, and stays invisible to the recipient', async () => {
    const res = await h.execute(
      TRANSFER,
      {
        input: {
          fromWalletId: alice.walletId,
          toWalletId: bob.walletId,
          amount: eur('999'),
          idempotencyKey: newKey(),
        },
        waitMs: 0,
      },
      alice.token,
    );
    const id = res.data.transfer.id;
    await h.deliver(h.ledgerAnswer(id, { rejected: 'INSUFFICIENT_FUNDS' }));
    await noticesAbout(id, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(
      h.published.filter((p) => p.topic === 'operationUpdated' && p.notice.id === id).map((p) => p.userId),
    ).toEqual([alice.userId]);
    expect((await h.execute(OPERATION, { id }, bob.token)).data.operation).toBeNull();
  });
});

describe('the operations’ metrics', () => {
  const operationsTotal = 'walletgraph_transactions_operations_total';
  const latency = 'walletgraph_transactions_settlement_duration_seconds';
  const count = (kind: string, status: string) => scraped(h.metrics, operationsTotal, { kind, status });

  it('counts an operation pending when written, completed when the ledger posts it, and observes created → settled', async () => {
    const deposits = { kind: 'DEPOSIT' };
    const [pending, completed, settlements, seconds] = await Promise.all([
      count('DEPOSIT', 'pending'),
      count('DEPOSIT', 'completed'),
      scraped(h.metrics, latency, deposits, `${latency}_count`),
      scraped(h.metrics, latency, deposits, `${latency}_sum`),
    ]);
    const id = await pendingDeposit(alice);
    expect(await count('DEPOSIT', 'pending')).toBe(pending + 1);

    await h.deliver(h.ledgerAnswer(id, { posted: true }));
    const settled = await row(id);
    expect(await count('DEPOSIT', 'completed')).toBe(completed + 1);
    expect(await scraped(h.metrics, latency, deposits, `${latency}_count`)).toBe(settlements + 1);
    const took = (settled.settledAt!.getTime() - settled.createdAt.getTime()) / 1000;
    expect(await scraped(h.metrics, latency, deposits, `${latency}_sum`)).toBeCloseTo(seconds + took, 6);
  });

  it('counts an operation the ledger refused as failed', async () => {
    const failed = await count('WITHDRAWAL', 'failed');
    const res = await h.execute(
      WITHDRAW,
      { input: { walletId: bob.walletId, amount: eur('1000'), idempotencyKey: newKey() }, waitMs: 0 },
      bob.token,
    );
    expect(res.errors).toEqual([]);
    await h.deliver(h.ledgerAnswer(res.data.withdraw.id, { rejected: 'INSUFFICIENT_FUNDS' }));
    expect((await row(res.data.withdraw.id)).status).toBe('FAILED');
    expect(await count('WITHDRAWAL', 'failed')).toBe(failed + 1);
  });
});
