import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  AllocateToJarDocument,
  ArchiveJarDocument,
  CreateJarDocument,
  type JarFieldsFragment,
  SetAllocationRulesDocument,
  SpendFromJarDocument,
  WalletJarsDocument,
} from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { expectBooksAgree, expectLedgerInvariants, jarAnnouncements } from '../support/books.ts';
import { deposit, eur, newKey, type Person, person, settled } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * A month of one person's money through the gateway, in real mode: a salary split by allocation
 * rules, spending from an expense jar across its thresholds, a savings goal reached, the month
 * end resetting the Income jar, and the expense jar's leftover returned after the grace period.
 * After every step each balance is read through the gateway (from the ledger) and the books are
 * checked against the ledger. The clock moves by running period processing as of a later moment
 * (`pnpm jars:periods --at`), never by waiting.
 */

const stack = useRealStack();

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/** One period-processing round as of `at`, as an operator runs it. */
async function processPeriods(at: Date): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['subgraphs/jars/run-periods.ts', '--at', at.toISOString(), '--future'],
    {
      cwd: root,
      env: { ...process.env, JARS_DATABASE_URL: stack.databases.jars! },
    },
  );
  return stdout.trim();
}

interface Books {
  total: bigint;
  available: bigint;
  allocated: bigint;
  jars: Map<string, JarFieldsFragment>;
}

async function books(p: Person): Promise<Books> {
  const res = await p.client.request(WalletJarsDocument, { id: p.walletId });
  expect(res.errors).toBeUndefined();
  const w = res.data!.wallet!;
  return {
    total: BigInt(w.balance.total.minorUnits),
    available: BigInt(w.balance.available.minorUnits),
    allocated: BigInt(w.balance.allocated.minorUnits),
    jars: new Map(w.jars.map((j) => [j.name, j])),
  };
}

/**
 * Waits until the wallet shows the expected balances, then checks that allocated is the sum of
 * the jars, the books agree with the ledger, and the ledger's invariants hold.
 */
async function expectWallet(
  p: Person,
  want: { total: bigint; available: bigint; jars: Record<string, bigint> },
): Promise<Books> {
  const seen = await waitFor(
    'the wallet to show the expected balances',
    async () => {
      const b = await books(p);
      const jars = Object.fromEntries([...b.jars].map(([name, j]) => [name, BigInt(j.balance.minorUnits)]));
      const matches =
        b.total === want.total &&
        b.available === want.available &&
        Object.entries(want.jars).every(([name, minor]) => jars[name] === minor);
      return matches ? b : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  ).catch(async (error: unknown) => {
    const b = await books(p);
    const jars = Object.fromEntries([...b.jars].map(([name, j]) => [name, j.balance.minorUnits]));
    throw new Error(
      `${String(error)}: saw total ${b.total}, available ${b.available}, jars ${JSON.stringify(jars)}`,
    );
  });
  const jarSum = [...seen.jars.values()].reduce((sum, j) => sum + BigInt(j.balance.minorUnits), 0n);
  expect(seen.allocated).toBe(jarSum);
  expect(seen.total).toBe(seen.available + seen.allocated);
  await expectBooksAgree(stack, [p]);
  await expectLedgerInvariants(stack);
  return seen;
}

describe('a month of money in jars, real mode', () => {
  it('splits the salary, tracks the budget and the goal, and rolls the period over', async () => {
    const ada = await person(stack, 'ada');
    const created = async (input: Record<string, unknown>) => {
      const res = await ada.client.request(CreateJarDocument, {
        input: { walletId: ada.walletId, ...input } as never,
      });
      expect(res.errors, JSON.stringify(res)).toBeUndefined();
      return res.data!.createJar;
    };
    const holiday = await created({ name: 'Holiday', kind: 'SAVINGS', goalTarget: eur(30_000n) });
    const groceries = await created({ name: 'Groceries', kind: 'EXPENSE', budgetLimit: eur(20_000n) });
    expect(groceries.budget).toMatchObject({
      limit: { amount: '200.00' },
      period: 'MONTHLY',
      thresholds: [80, 100],
    });
    const income = (await books(ada)).jars.get('Income')!;

    // Rules: 20 % to Income, 10 % to Holiday, a fixed 200.00 to Groceries.
    const rules = await ada.client.request(SetAllocationRulesDocument, {
      walletId: ada.walletId,
      rules: [
        { jarId: income.id, percent: 20 },
        { jarId: holiday.id, percent: 10 },
        { jarId: groceries.id, fixed: eur(20_000n) },
      ],
    });
    expect(rules.errors).toBeUndefined();

    // The salary: 2,000.00, split in one ledger entry; 1,200.00 stays available.
    expect((await deposit(ada, 200_000n)).status).toBe('COMPLETED');
    await expectWallet(ada, {
      total: 200_000n,
      available: 120_000n,
      jars: { Income: 40_000n, Holiday: 20_000n, Groceries: 20_000n },
    });

    // Groceries: 100.00, then 70.00 (85 % of the budget: the 80 % alert), then 50.00 is refused.
    const spend = async (minor: bigint) => {
      const res = await ada.client.request(SpendFromJarDocument, {
        input: { jarId: groceries.id, amount: eur(minor), idempotencyKey: newKey('spend') },
        waitMs: 10_000,
      });
      expect(res.errors).toBeUndefined();
      return settled(ada.client, res.data!.spendFromJar);
    };
    expect((await spend(10_000n)).status).toBe('COMPLETED');
    expect((await spend(7_000n)).status).toBe('COMPLETED');
    expect(await spend(5_000n)).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    await expectWallet(ada, {
      total: 183_000n,
      available: 120_000n,
      jars: { Income: 40_000n, Holiday: 20_000n, Groceries: 3_000n },
    });
    const alerts = await waitFor('the 80 % budget alert', async () => {
      const found = await jarAnnouncements(stack, 'jars.budget_threshold_reached.v1', groceries.id);
      return found.length > 0 ? found : undefined;
    });
    expect(alerts).toEqual([
      expect.objectContaining({ thresholdPercent: 80, spent: '17000', limit: '20000' }),
    ]);
    const budget = (await books(ada)).jars.get('Groceries')!.budget!;
    expect([budget.spent.amount, budget.remaining.amount]).toEqual(['170.00', '30.00']);

    // Holiday: 100.00 more reaches the 300.00 goal; announced once.
    const allocate = await ada.client.request(AllocateToJarDocument, {
      input: { jarId: holiday.id, amount: eur(10_000n), idempotencyKey: newKey('allocate') },
      waitMs: 10_000,
    });
    expect((await settled(ada.client, allocate.data!.allocateToJar)).status).toBe('COMPLETED');
    const afterGoal = await expectWallet(ada, {
      total: 183_000n,
      available: 110_000n,
      jars: { Income: 40_000n, Holiday: 30_000n, Groceries: 3_000n },
    });
    expect(afterGoal.jars.get('Holiday')!.goal!.progressPercent).toBe(100);
    await waitFor(
      'the goal to be achieved',
      async () => (await books(ada)).jars.get('Holiday')!.goal!.achievedAt,
    );
    expect(await jarAnnouncements(stack, 'jars.goal_achieved.v1', holiday.id)).toEqual([
      expect.objectContaining({ jarId: holiday.id, target: '30000', currency: 'EUR' }),
    ]);

    // The month ends: the Income jar resets to available; running the round again moves nothing.
    const now = new Date();
    const monthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    const justAfter = new Date(monthEnd.getTime() + 5 * 60_000);
    expect(await processPeriods(justAfter)).toMatch(/decided as of .*: 1$/);
    expect(await processPeriods(justAfter)).toMatch(/: 0$/);
    await expectWallet(ada, {
      total: 183_000n,
      available: 150_000n,
      jars: { Income: 0n, Holiday: 30_000n, Groceries: 3_000n },
    });

    // Three days later the groceries' 30.00 leftover returns; again only once.
    const graceOver = new Date(monthEnd.getTime() + 3 * 24 * 3600_000 + 60_000);
    expect(await processPeriods(graceOver)).toMatch(/: 1$/);
    expect(await processPeriods(graceOver)).toMatch(/: 0$/);
    await expectWallet(ada, {
      total: 183_000n,
      available: 153_000n,
      jars: { Income: 0n, Holiday: 30_000n, Groceries: 0n },
    });

    // Archiving the holiday jar returns its 300.00 in the same ledger step.
    const archived = await ada.client.request(ArchiveJarDocument, { id: holiday.id });
    expect(archived.data?.archiveJar.status).toBe('ARCHIVED');
    await expectWallet(ada, {
      total: 183_000n,
      available: 183_000n,
      jars: { Income: 0n, Holiday: 0n, Groceries: 0n },
    });
  });

  it('concurrent allocations and spends on one jar never overdraw it, nor announce a goal or threshold twice', async () => {
    const bea = await person(stack, 'bea');
    expect((await deposit(bea, 20_000n)).status).toBe('COMPLETED');
    const create = async (input: Record<string, unknown>) => {
      const res = await bea.client.request(CreateJarDocument, {
        input: { walletId: bea.walletId, ...input } as never,
      });
      expect(res.errors).toBeUndefined();
      return res.data!.createJar;
    };
    const savings = await create({ name: 'Bike', kind: 'SAVINGS', goalTarget: eur(5_000n) });
    const food = await create({ name: 'Food', kind: 'EXPENSE', budgetLimit: eur(4_000n) });
    // All at once: 20 × 5.00 into savings, 20 × 5.00 into food, 20 × 3.00 spent from food.
    const moves = Array.from({ length: 60 }, (_, i) => i);
    const results = await Promise.all(
      moves.map(async (i) => {
        const input = {
          jarId: i < 20 ? savings.id : food.id,
          amount: eur(i < 40 ? 500n : 300n),
          idempotencyKey: newKey(`jar-race-${i}`),
        };
        const res =
          i < 40
            ? (await bea.client.request(AllocateToJarDocument, { input, waitMs: 10_000 })).data?.allocateToJar
            : (await bea.client.request(SpendFromJarDocument, { input, waitMs: 10_000 })).data?.spendFromJar;
        return { i, op: await settled(bea.client, res!) };
      }),
    );
    const completed = (from: number, to: number) =>
      results.filter((r) => r.i >= from && r.i < to && r.op.status === 'COMPLETED').length;
    for (const r of results) {
      if (r.op.status === 'FAILED') expect(r.op.failureCode).toBe('INSUFFICIENT_FUNDS');
    }
    expect(completed(0, 40)).toBe(40);
    const spends = completed(40, 60);
    const spent = BigInt(spends) * 300n;
    const b = await expectWallet(bea, {
      total: 20_000n - spent,
      available: 0n,
      jars: { Income: 0n, Bike: 10_000n, Food: 10_000n - spent },
    });
    expect(BigInt(b.jars.get('Food')!.balance.minorUnits) >= 0n).toBe(true);
    await waitFor('the goal and threshold announcements', async () =>
      (await jarAnnouncements(stack, 'jars.goal_achieved.v1', savings.id)).length > 0 &&
      (await jarAnnouncements(stack, 'jars.budget_threshold_reached.v1', food.id)).length ===
        (spent >= 4_000n ? 2 : spent >= 3_200n ? 1 : 0)
        ? true
        : undefined,
    );
    // Settle a moment longer: a duplicate would come from the same events being projected again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await jarAnnouncements(stack, 'jars.goal_achieved.v1', savings.id)).toHaveLength(1);
    const thresholds = (await jarAnnouncements(stack, 'jars.budget_threshold_reached.v1', food.id)).map(
      (a) => a.thresholdPercent,
    );
    expect(thresholds).toEqual(spent >= 4_000n ? [80, 100] : spent >= 3_200n ? [80] : []);
  });
});
