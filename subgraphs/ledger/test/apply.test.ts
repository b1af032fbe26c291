import { randomUUID } from 'node:crypto';
import type { Event } from '@walletgraph/events';
import { outbox } from '@walletgraph/platform/db/tables';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts, journalEntries, ledgerCommands, postings } from '../db/schema.ts';
import { accountId } from '../domain/accounts.ts';
import { checkLedger } from '../operator/invariants.ts';
import { deposit, failureOf, newKey, postCommand, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

describe('applying ledger commands (real Postgres)', () => {
  const h = useLedgerHarness();

  const db = () => h.db.handle.db;
  const balanceOf = async (id: string) =>
    (await db().select({ b: accounts.balance }).from(accounts).where(eq(accounts.id, id)))[0]?.b;
  /** The result events the commands caused, in outbox order (their live notices aside: `h.notices()`). */
  const resultsOf = async (...commands: Event[]) => {
    const rows = await db().select().from(outbox).orderBy(outbox.seq);
    const ids = new Set(commands.map((c) => c.id));
    return rows
      .map((r) => r.envelope as Event)
      .filter((e) => e.causationId && ids.has(e.causationId) && e.type !== 'live.notices.v1');
  };

  it('posts a deposit: an entry, balanced postings, the new balance, its result and a posted event', async () => {
    const w = await h.openWallet('EUR');
    const command = deposit(newKey(), w, 1250n);
    const { results, notices } = await h.apply(command);

    expect(results).toMatchObject([
      { status: 'POSTED', replayed: false, entry: { walletIds: [w.walletId] } },
    ]);
    const entryId = results[0]!.status === 'POSTED' ? results[0]!.entry.entryId : '';
    expect(await balanceOf(w.available)).toBe(1250n);
    const lines = await db()
      .select()
      .from(postings)
      .where(eq(postings.entryId, entryId))
      .orderBy(postings.line);
    expect(lines.map((p) => [p.accountId, p.amount, p.balanceAfter])).toEqual([
      ['external:deposits:EUR', -1250n, null],
      [w.available, 1250n, 1250n],
    ]);
    // The external account exists, and keeps no balance row that every entry would update.
    expect(await balanceOf('external:deposits:EUR')).toBe(0n);
    const [stored] = await db().select().from(ledgerCommands).where(eq(ledgerCommands.entryId, entryId));
    expect(stored).toMatchObject({ outcome: 'POSTED', idempotencyKey: command.data.idempotencyKey });

    const [event] = await resultsOf(command);
    expect(event).toMatchObject({
      type: 'ledger.posted.v1',
      correlationId: command.correlationId,
      data: { idempotencyKey: command.data.idempotencyKey, entryId, walletIds: [w.walletId] },
    });
    expect(notices).toEqual([
      { ownerId: w.ownerId, walletId: w.walletId, entryId, operationId: null, delta: 1250n, currency: 'EUR' },
    ]);
  });

  it('posts the rest of a batch when one command has insufficient funds', async () => {
    const a = await h.openWallet();
    const b = await h.openWallet();
    const commands = [
      deposit(newKey(), a, 1000n),
      transfer(newKey(), a.available, b.available, 700n),
      transfer(newKey(), a.available, b.available, 700n),
      transfer(newKey(), a.available, b.available, 300n),
    ];
    const { results } = await h.apply(...commands);

    expect(results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status))).toEqual([
      'POSTED',
      'POSTED',
      'INSUFFICIENT_FUNDS',
      'POSTED',
    ]);
    expect([await balanceOf(a.available), await balanceOf(b.available)]).toEqual([0n, 1000n]);
    const events = await resultsOf(...commands);
    expect(events.map((e) => e.type)).toEqual([
      'ledger.posted.v1',
      'ledger.posted.v1',
      'ledger.rejected.v1',
      'ledger.posted.v1',
    ]);
    const rejected = await db()
      .select()
      .from(ledgerCommands)
      .where(eq(ledgerCommands.idempotencyKey, commands[2]!.data.idempotencyKey));
    expect(rejected).toMatchObject([{ outcome: 'REJECTED', reason: 'INSUFFICIENT_FUNDS', entryId: null }]);
  });

  it('numbers the entries of a batch in the order they were decided, after every earlier entry', async () => {
    const w = await h.openWallet();
    const first = await h.apply(deposit(newKey(), w, 1n));
    const batch = await h.apply(deposit(newKey(), w, 2n), deposit(newKey(), w, 3n), deposit(newKey(), w, 4n));
    const sequences = [...first.results, ...batch.results].map((r) =>
      r.status === 'POSTED' ? r.entry.sequence : 0n,
    );
    expect([...sequences].sort((x, y) => (x < y ? -1 : 1))).toEqual(sequences);
    expect(new Set(sequences).size).toBe(4);
  });

  it('returns the original result for a replayed key, posted or rejected, and moves nothing again', async () => {
    const w = await h.openWallet();
    const other = await h.openWallet();
    const posted = deposit(newKey(), w, 500n);
    const refused = transfer(newKey(), w.available, other.available, 900n);
    const original = await h.apply(posted, refused);

    // Redelivered with new message ids (a producer's retry), after the funds would now suffice.
    await h.apply(deposit(newKey(), w, 1000n));
    const again = [
      { ...posted, id: randomUUID() },
      { ...refused, id: randomUUID() },
    ];
    const replay = await h.apply(...again);

    expect(replay.results[0]).toEqual({ ...original.results[0], replayed: true });
    expect(replay.results[1]).toEqual({ ...original.results[1], replayed: true });
    expect(replay.notices).toEqual([]);
    expect(await balanceOf(w.available)).toBe(1500n);
    const [originalPosted, originalRejected] = await resultsOf(posted, refused);
    const [replayPosted, replayRejected] = await resultsOf(...again);
    expect(replayPosted!.data).toEqual(originalPosted!.data);
    expect(replayRejected!.data).toEqual(originalRejected!.data);
  });

  it('refuses a key reused with different postings, moving nothing and keeping the original result', async () => {
    const w = await h.openWallet();
    const key = newKey();
    const original = await h.apply(deposit(key, w, 100n));
    const reused = deposit(key, w, 999n);
    const { results } = await h.apply(reused);

    expect(results).toMatchObject([{ status: 'REJECTED', reason: 'IDEMPOTENCY_KEY_REUSED' }]);
    expect(await balanceOf(w.available)).toBe(100n);
    const [stored] = await db().select().from(ledgerCommands).where(eq(ledgerCommands.idempotencyKey, key));
    expect(stored).toMatchObject({
      outcome: 'POSTED',
      entryId: original.results[0]!.status === 'POSTED' ? original.results[0]!.entry.entryId : '',
    });
    expect((await resultsOf(reused)).map((e) => e.type)).toEqual(['ledger.rejected.v1']);
  });

  it('opens a hold account lazily and never lets it go below zero', async () => {
    const w = await h.openWallet();
    const hold = accountId.hold(randomUUID());
    const { results } = await h.apply(
      deposit(newKey(), w, 1000n),
      transfer(newKey(), w.available, hold, 400n),
      transfer(newKey(), hold, 'external:biller:EUR', 500n),
      transfer(newKey(), hold, 'external:biller:EUR', 400n),
    );
    expect(results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status))).toEqual([
      'POSTED',
      'POSTED',
      'INSUFFICIENT_FUNDS',
      'POSTED',
    ]);
    const [row] = await db().select().from(accounts).where(eq(accounts.id, hold));
    expect(row).toMatchObject({ kind: 'HOLD', currency: 'EUR', balance: 0n, walletId: null });
  });

  it('stores the expiry of the command that opens a hold, null without one, and keeps it afterwards', async () => {
    const w = await h.openWallet();
    const [withExpiry, without] = [accountId.hold(randomUUID()), accountId.hold(randomUUID())];
    const expiresAt = new Date('2099-01-01T00:00:00.000Z');
    const move = (from: string, to: string, amount: bigint, holdExpiresAt?: Date) =>
      postCommand(
        newKey(),
        [
          [from, -amount, 'EUR'],
          [to, amount, 'EUR'],
        ],
        holdExpiresAt ? { holdExpiresAt } : {},
      );
    await h.apply(
      deposit(newKey(), w, 1000n),
      move(w.available, withExpiry, 400n, expiresAt),
      move(w.available, without, 100n),
    );
    // A later command naming the hold with another expiry moves money but leaves the expiry; the
    // hold without one is released, so the ledger's invariants still hold at the end of the suite.
    await h.apply(
      move(w.available, withExpiry, 50n, new Date('2100-01-01T00:00:00.000Z')),
      move(without, w.available, 100n),
    );

    const rows = await db()
      .select({ id: accounts.id, balance: accounts.balance, expiresAt: accounts.expiresAt })
      .from(accounts)
      .where(inArray(accounts.id, [withExpiry, without]));
    expect(new Map(rows.map((r) => [r.id, [r.balance, r.expiresAt]]))).toEqual(
      new Map([
        [withExpiry, [450n, expiresAt]],
        [without, [0n, null]],
      ]),
    );
  });

  it('refuses postings to an archived wallet and in another currency; defers a wallet not open yet', async () => {
    const w = await h.openWallet('JPY');
    const { results } = await h.apply(
      transfer(newKey(), 'external:deposits:USD', w.available, 100n, 'USD'),
      postCommand(newKey(), [
        ['external:deposits:JPY', -5n, 'JPY'],
        [accountId.walletAvailable(randomUUID()), 5n, 'JPY'],
      ]),
    );
    expect(results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status))).toEqual([
      'CURRENCY_MISMATCH',
      'DEFERRED',
    ]);
    await h.archiveWallet(w);
    const archived = await h.apply(deposit(newKey(), w, 100n));
    expect(archived.results).toMatchObject([{ status: 'REJECTED', reason: 'WALLET_ARCHIVED' }]);
    expect(await balanceOf(w.available)).toBe(0n);
  });

  describe('the database itself', () => {
    it('refuses to update, delete or truncate journal entries and postings', async () => {
      const w = await h.openWallet();
      const { results } = await h.apply(deposit(newKey(), w, 10n));
      const entryId = results[0]!.status === 'POSTED' ? results[0]!.entry.entryId : '';
      const attempts = [
        db().update(postings).set({ amount: 1n }).where(eq(postings.entryId, entryId)),
        db().delete(postings).where(eq(postings.entryId, entryId)),
        db().update(journalEntries).set({ description: 'rewritten' }).where(eq(journalEntries.id, entryId)),
        db().delete(journalEntries).where(eq(journalEntries.id, entryId)),
        db().delete(ledgerCommands).where(eq(ledgerCommands.entryId, entryId)),
        db().execute(sql`truncate postings`),
        db().execute(sql`truncate journal_entries cascade`),
      ];
      for (const attempt of attempts) expect(await failureOf(attempt)).toMatch(/append-only/);
      expect(await db().select().from(postings).where(eq(postings.entryId, entryId))).toHaveLength(2);
    });

    it('refuses an unbalanced entry, an entry without postings, and a negative stored balance', async () => {
      const w = await h.openWallet();
      const id = randomUUID();
      const unbalanced = db().transaction(async (tx) => {
        const [e] = await tx
          .insert(journalEntries)
          .values({ id, idempotencyKey: newKey(), requestHash: 'x', description: 'bad' })
          .returning();
        await tx.insert(postings).values([
          {
            entryId: id,
            line: 0,
            sequence: e!.sequence,
            accountId: w.available,
            amount: 5n,
            currency: 'EUR',
          },
          {
            entryId: id,
            line: 1,
            sequence: e!.sequence,
            accountId: 'external:deposits:EUR',
            amount: -4n,
            currency: 'EUR',
          },
        ]);
      });
      expect(await failureOf(unbalanced)).toMatch(/does not balance in EUR/);
      const empty = db()
        .insert(journalEntries)
        .values({ id, idempotencyKey: newKey(), requestHash: 'x', description: 'bad' });
      expect(await failureOf(empty)).toMatch(/fewer than two postings/);
      const negative = db().update(accounts).set({ balance: -1n }).where(eq(accounts.id, w.available));
      expect(await failureOf(negative)).toMatch(/accounts_balance_allowed/);
    });
  });

  it('leaves a ledger whose invariants all hold', async () => {
    const report = await checkLedger(db());
    expect(report.violations).toEqual([]);
    expect(report.ok).toBe(true);
    const entries = await db().select({ id: journalEntries.id }).from(journalEntries);
    expect(report.counts.entries).toBe(entries.length);
    expect(entries.length).toBeGreaterThan(10);
    expect(
      await db()
        .select()
        .from(accounts)
        .where(inArray(accounts.kind, ['EXTERNAL'])),
    ).not.toHaveLength(0);
  });
});
