import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { and, eq, gt, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accounts } from '../db/schema.ts';
import { accountId } from '../domain/accounts.ts';
import { checkLedger, formatReport } from '../operator/invariants.ts';
import {
  createLedgerHarness,
  deposit,
  type LedgerHarness,
  newKey,
  postCommand,
  type TestWallet,
  transfer,
} from './harness.ts';

const run = promisify(execFile);
const checkScript = fileURLToPath(new URL('../operator/check-invariants.ts', import.meta.url));

/** Runs `pnpm ledger:check`'s script against a database; resolves with its exit code and output. */
async function runCheck(env: Record<string, string>): Promise<{ code: number; output: string }> {
  const { PATH, HOME } = process.env;
  try {
    const { stdout } = await run(process.execPath, [checkScript], { env: { PATH, HOME, ...env } });
    return { code: 0, output: stdout };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** Moves `amount` USD from one account to another, placing a hold with `holdExpiresAt` when it opens one. */
function move(from: string, to: string, amount: bigint, holdExpiresAt?: Date) {
  return postCommand(
    newKey(),
    [
      [from, -amount, 'USD'],
      [to, amount, 'USD'],
    ],
    holdExpiresAt ? { holdExpiresAt } : {},
  );
}

const inAnHour = () => new Date(Date.now() + 3_600_000);
const aMinuteAgo = () => new Date(Date.now() - 60_000);

describe('the ledger invariant check (real Postgres)', () => {
  // By hand, not useLedgerHarness: each test tampers with the books, so each gets a fresh ledger.
  let h: LedgerHarness;
  let a: TestWallet;
  beforeEach(async () => {
    h = await createLedgerHarness();
    a = await h.openWallet('USD');
    const b = await h.openWallet('USD');
    await h.apply(deposit(newKey(), a, 5000n), deposit(newKey(), b, 10n));
    await h.apply(
      transfer(newKey(), a.available, b.available, 1200n, 'USD'),
      transfer(newKey(), b.available, b.jar, 1000n, 'USD'),
      move(a.available, accountId.hold(randomUUID()), 300n, inAnHour()),
    );
  });
  afterEach(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  const db = () => h.db.handle.db;

  it('passes on a ledger written by the posting transaction', async () => {
    const report = await checkLedger(db());
    expect(report).toMatchObject({ ok: true, violations: [], counts: { entries: 5, postings: 10 } });
    expect(formatReport(report)).toContain('all invariants hold');
  });

  it('detects a tampered stored balance, and a negative one', async () => {
    const [w] = await db().select().from(accounts).where(eq(accounts.kind, 'WALLET_AVAILABLE')).limit(1);
    await db()
      .update(accounts)
      .set({ balance: w!.balance + 1n })
      .where(eq(accounts.id, w!.id));

    const report = await checkLedger(db());
    expect(report.ok).toBe(false);
    expect(report.violations).toEqual([
      expect.objectContaining({ check: 'stored balances match postings', subject: w!.id }),
    ]);
    expect(formatReport(report)).toMatch(/FAIL stored balances match postings \(1\)/);
  });

  it('detects entries that do not balance, money created from nothing and broken running balances', async () => {
    const [w] = await db().select().from(accounts).where(eq(accounts.kind, 'WALLET_AVAILABLE')).limit(1);
    // What the triggers refuse, written with them off (as a superuser could): the check must not
    // rely on the triggers having been there.
    await db().transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      const id = randomUUID();
      const seq = sql`nextval(pg_get_serial_sequence('journal_entries', 'sequence'))`;
      await tx.execute(sql`insert into journal_entries (id, sequence, idempotency_key, request_hash, description)
        values (${id}, ${seq}, ${newKey()}, 'x', 'forged')`);
      await tx.execute(sql`insert into postings (entry_id, line, sequence, account_id, amount, currency, balance_after)
        select ${id}, 0, sequence, ${w!.id}, 7, 'USD', 0 from journal_entries where id = ${id}`);
      await tx.execute(sql`update accounts set balance = balance + 7 where id = ${w!.id}`);
    });

    const report = await checkLedger(db());
    expect(report.ok).toBe(false);
    expect(
      Object.entries(report.checks)
        .filter(([, n]) => n > 0)
        .map(([name]) => name),
    ).toEqual([
      'entries balance',
      'entries have two postings',
      'currencies sum to zero',
      'running balances match postings',
    ]);
  });

  it('detects money left in a closed account', async () => {
    const [jar] = await db()
      .select()
      .from(accounts)
      .where(and(eq(accounts.kind, 'JAR'), gt(accounts.balance, 0n)));
    await db().update(accounts).set({ closedAt: new Date() }).where(eq(accounts.id, jar!.id));

    const report = await checkLedger(db());
    expect(report.violations).toEqual([
      expect.objectContaining({ check: 'closed accounts are empty', subject: jar!.id }),
    ]);
  });

  it.each([
    {
      hold: 'an open hold past its expiry',
      expiry: aMinuteAgo,
      release: false,
      fails: /^holding 100, expired at /,
    },
    {
      hold: 'an open hold placed without an expiry',
      expiry: () => undefined,
      release: false,
      fails: /^holding 100, no expiry$/,
    },
    { hold: 'a settled hold past its expiry', expiry: aMinuteAgo, release: true, fails: null },
    { hold: 'an open hold before its expiry', expiry: inAnHour, release: false, fails: null },
  ])('checks $hold', async ({ expiry, release, fails }) => {
    const hold = accountId.hold(randomUUID());
    await h.apply(move(a.available, hold, 100n, expiry()));
    if (release) await h.apply(move(hold, a.available, 100n));

    const report = await checkLedger(db());
    expect(report.checks['holds are settled or younger than their expiry']).toBe(fails ? 1 : 0);
    expect(report.violations).toEqual(
      fails
        ? [
            {
              check: 'holds are settled or younger than their expiry',
              subject: hold,
              detail: expect.stringMatching(fails),
            },
          ]
        : [],
    );
  });

  it('runs as a command: exit 0 when the ledger is sound, 1 with a report when it is not', async () => {
    const ok = await runCheck({ LEDGER_DATABASE_URL: h.db.url });
    expect(ok).toMatchObject({ code: 0, output: expect.stringContaining('all invariants hold') });

    await db().execute(sql`update accounts set balance = balance + 1 where kind = 'JAR'`);
    const broken = await runCheck({ LEDGER_DATABASE_URL: h.db.url });
    expect(broken.code).toBe(1);
    expect(broken.output).toContain('INVARIANTS VIOLATED');

    const missing = await runCheck({});
    expect(missing).toMatchObject({ code: 2, output: expect.stringContaining('DATABASE_URL') });
  });
});
