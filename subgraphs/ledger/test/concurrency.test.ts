import { rowsOf } from '@walletgraph/platform/db/rows';
import { count, ne, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts, ledgerCommands } from '../db/schema.ts';
import { checkLedger } from '../operator/invariants.ts';
import { deposit, newKey, type TestWallet, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

/** A seeded generator, so a failing run can be repeated exactly. */
function random(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s % n;
  };
}

describe('concurrent batches over overlapping accounts (real Postgres)', () => {
  const h = useLedgerHarness();

  it('never deadlocks, never overdraws, and conserves money', async () => {
    const wallets: TestWallet[] = [];
    for (let i = 0; i < 6; i++) wallets.push(await h.openWallet('EUR'));
    // Every wallet's available account and its jar: 12 accounts shared by all batches.
    const pool = wallets.flatMap((w) => [w.available, w.jar]);
    await h.apply(...wallets.map((w) => deposit(newKey('seed'), w, 1000n)));
    const next = random(20261105);

    let posted = 0;
    let refused = 0;
    for (let round = 0; round < 4; round++) {
      // Eight batches at once, each 25 transfers between random accounts in random order, many of
      // them larger than what the source holds; the external account takes part in some.
      const batches = Array.from({ length: 8 }, () =>
        Array.from({ length: 25 }, () => {
          const from = pool[next(pool.length)]!;
          let to = pool[next(pool.length)]!;
          if (to === from) to = 'external:withdrawals:EUR';
          return transfer(newKey('t'), from, to, BigInt(1 + next(600)));
        }),
      );
      const applied = await Promise.all(batches.map((batch) => h.apply(...batch)));
      for (const { results } of applied) {
        for (const r of results) {
          if (r.status === 'POSTED') posted++;
          else if (r.status === 'REJECTED' && r.reason === 'INSUFFICIENT_FUNDS') refused++;
          else throw new Error(`unexpected ${r.status === 'REJECTED' ? r.reason : r.status}: ${r.detail}`);
        }
      }
    }
    expect(posted + refused).toBe(4 * 8 * 25);
    expect(posted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(10);

    const db = h.db.handle.db;
    const [negative] = await db
      .select({ n: count() })
      .from(accounts)
      .where(sql`${accounts.kind} <> 'EXTERNAL' and ${accounts.balance} < 0`);
    expect(negative!.n).toBe(0);
    // Money only left through the withdrawals account: what the wallets hold plus what left is what came in.
    const [held] = await db
      .select({ total: sql<string>`sum(${accounts.balance})::text` })
      .from(accounts)
      .where(ne(accounts.kind, 'EXTERNAL'));
    const [withdrawn] = rowsOf<{ total: string }>(
      await db.execute(
        sql`select coalesce(sum(amount), 0)::text as total from postings where account_id = 'external:withdrawals:EUR'`,
      ),
    );
    expect(BigInt(held!.total) + BigInt(withdrawn!.total)).toBe(6000n);
    const [results] = await db.select({ n: count() }).from(ledgerCommands);
    expect(results!.n).toBe(6 + 4 * 8 * 25);

    const report = await checkLedger(db);
    expect(report.violations).toEqual([]);
  });
});
