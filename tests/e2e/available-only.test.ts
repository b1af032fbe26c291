import {
  AllocateToJarDocument,
  MeDocument,
  type OperationFieldsFragment,
  WalletDocument,
  WithdrawDocument,
} from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { expectBooksAgree, expectLedgerInvariants } from '../support/books.ts';
import { deposit, eur, newKey, type Person, person, settled, transfer } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Money in jars is the owner's (it counts in the total) but is not spendable by a withdrawal or a
 * transfer: those draw on the available balance only. Real mode, through the gateway.
 */

const stack = useRealStack();

interface Balances {
  total: string;
  available: string;
  allocated: string;
  income: string;
}

/** The wallet's balances and its Income jar's, as the gateway shows them. */
async function balances(p: Person): Promise<Balances> {
  const res = await p.client.request(WalletDocument, { id: p.walletId });
  expect(res.errors).toBeUndefined();
  const w = res.data!.wallet!;
  return {
    total: w.balance.total.amount,
    available: w.balance.available.amount,
    allocated: w.balance.allocated.amount,
    income: w.jars.find((j) => j.name === 'Income')!.balance.amount,
  };
}

/** Deposits 100.00 and moves 60.00 of it into the default Income jar: 40.00 stays available. */
async function fundedWithJar(name: string): Promise<Person> {
  const p = await person(stack, name);
  expect((await settled(p.client, await deposit(p, 10_000n))).status).toBe('COMPLETED');
  expect(await balances(p)).toEqual({
    total: '100.00',
    available: '100.00',
    allocated: '0.00',
    income: '0.00',
  });

  const me = await p.client.request(MeDocument);
  const income = me.data!.me!.defaultWallet!.jars.find((j) => j.name === 'Income')!;
  const allocated = await p.client.request(AllocateToJarDocument, {
    input: { jarId: income.id, amount: eur(6_000n), idempotencyKey: newKey('allocate') },
    waitMs: 10_000,
  });
  expect(allocated.errors).toBeUndefined();
  expect((await settled(p.client, allocated.data!.allocateToJar)).status).toBe('COMPLETED');
  expect(await balances(p)).toEqual({
    total: '100.00',
    available: '40.00',
    allocated: '60.00',
    income: '60.00',
  });
  return p;
}

async function withdraw(p: Person, minor: bigint): Promise<OperationFieldsFragment> {
  const res = await p.client.request(WithdrawDocument, {
    input: { walletId: p.walletId, amount: eur(minor), idempotencyKey: newKey('withdraw') },
    waitMs: 10_000,
  });
  expect(res.errors).toBeUndefined();
  return settled(p.client, res.data!.withdraw);
}

const outcome = (op: OperationFieldsFragment) => ({ status: op.status, failureCode: op.failureCode });

describe('withdrawals and transfers draw on the available balance only, real mode', () => {
  it('refuses a withdrawal within the total but above the available balance, and allows one within it', async () => {
    const ana = await fundedWithJar('ana');

    expect(outcome(await withdraw(ana, 5_000n))).toEqual({
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
    });
    expect(await balances(ana)).toEqual({
      total: '100.00',
      available: '40.00',
      allocated: '60.00',
      income: '60.00',
    });

    expect(outcome(await withdraw(ana, 4_000n))).toEqual({ status: 'COMPLETED', failureCode: null });
    expect(await balances(ana)).toEqual({
      total: '60.00',
      available: '0.00',
      allocated: '60.00',
      income: '60.00',
    });

    await expectBooksAgree(stack, [ana]);
    await expectLedgerInvariants(stack);
  });

  it('refuses a transfer within the total but above the available balance, and allows one within it', async () => {
    const [bea, cal] = await Promise.all([fundedWithJar('bea'), person(stack, 'cal')]);

    const refused = await settled(bea.client, await transfer(bea, cal, 5_000n, newKey('transfer')));
    expect(outcome(refused)).toEqual({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    expect(await balances(bea)).toEqual({
      total: '100.00',
      available: '40.00',
      allocated: '60.00',
      income: '60.00',
    });
    expect(await balances(cal)).toEqual({
      total: '0.00',
      available: '0.00',
      allocated: '0.00',
      income: '0.00',
    });

    const moved = await settled(bea.client, await transfer(bea, cal, 4_000n, newKey('transfer')));
    expect(outcome(moved)).toEqual({ status: 'COMPLETED', failureCode: null });
    expect(await balances(bea)).toEqual({
      total: '60.00',
      available: '0.00',
      allocated: '60.00',
      income: '60.00',
    });
    expect(await balances(cal)).toEqual({
      total: '40.00',
      available: '40.00',
      allocated: '0.00',
      income: '0.00',
    });

    await expectBooksAgree(stack, [bea, cal]);
    await expectLedgerInvariants(stack);
  });
});
