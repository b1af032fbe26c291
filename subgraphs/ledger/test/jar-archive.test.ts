import { randomUUID } from 'node:crypto';
import type { Event } from '@walletgraph/events';
import { outbox } from '@walletgraph/platform/db/tables';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts, journalEntries, ledgerCommands } from '../db/schema.ts';
import { checkLedger } from '../operator/invariants.ts';
import { deposit, jarArchived, newKey, type TestWallet, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

describe('archiving a jar (real Postgres)', () => {
  const h = useLedgerHarness();

  const db = () => h.db.handle.db;
  const accountsOf = async (w: TestWallet) => {
    const rows = await db().select().from(accounts).where(eq(accounts.walletId, w.walletId));
    const of = (id: string) => rows.find((r) => r.id === id)!;
    return {
      available: of(w.available).balance,
      jar: of(w.jar).balance,
      jarClosed: of(w.jar).closedAt !== null,
      availableClosed: of(w.available).closedAt !== null,
    };
  };
  /** The events the ledger answered `event` with (its live notices are read with `h.notices()`). */
  const answersTo = async (event: Event) =>
    (await db().select().from(outbox).orderBy(outbox.seq))
      .map((r) => r.envelope as Event)
      .filter((e) => e.causationId === event.id && e.type !== 'live.notices.v1');
  const entriesKeyed = (key: string) =>
    db().select().from(journalEntries).where(eq(journalEntries.idempotencyKey, key));

  it('sweeps the jar back to available, closes it, answers ledger.posted.v1 and notifies the owner', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 1000n), transfer(newKey(), w.available, w.jar, 350n));
    const archived = jarArchived(w);
    await h.handle(archived);

    expect(await accountsOf(w)).toEqual({
      available: 1000n,
      jar: 0n,
      jarClosed: true,
      availableClosed: false,
    });
    const [entry] = await entriesKeyed(`jar-archive:${w.jarId}`);
    expect(await answersTo(archived)).toMatchObject([
      {
        type: 'ledger.posted.v1',
        correlationId: archived.correlationId,
        data: {
          idempotencyKey: `jar-archive:${w.jarId}`,
          entryId: entry!.id,
          operationId: null,
          postings: [
            { account: w.jar, amount: '-350' },
            { account: w.available, amount: '350' },
          ],
          walletIds: [w.walletId],
        },
      },
    ]);
    const notices = (await h.notices()).filter(
      (p) => p.topic === 'balanceChanged' && p.notice.entryId === entry!.id,
    );
    expect(notices).toEqual([
      {
        userId: w.ownerId,
        topic: 'balanceChanged',
        // A move between the wallet's own accounts: its total is unchanged.
        notice: { walletId: w.walletId, entryId: entry!.id, operationId: null, delta: '0', currency: 'EUR' },
      },
    ]);
    const [stored] = await db()
      .select()
      .from(ledgerCommands)
      .where(eq(ledgerCommands.idempotencyKey, `jar-archive:${w.jarId}`));
    expect(stored).toMatchObject({ outcome: 'POSTED', entryId: entry!.id });
  });

  it('refuses later moves into the archived jar, and changes nothing when the archive comes again', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 500n), transfer(newKey(), w.available, w.jar, 200n));
    await h.handle(jarArchived(w));
    const after = await accountsOf(w);

    const allocation = await h.apply(transfer(newKey(), w.available, w.jar, 50n));
    expect(allocation.results).toMatchObject([{ status: 'REJECTED', reason: 'WALLET_ARCHIVED' }]);

    const again = jarArchived(w);
    const notices = (await h.notices()).length;
    await h.handle(again);
    expect(await accountsOf(w)).toEqual(after);
    expect(await entriesKeyed(`jar-archive:${w.jarId}`)).toHaveLength(1);
    expect(await answersTo(again)).toEqual([]);
    expect(await h.notices()).toHaveLength(notices);
  });

  it('closes an empty jar without an entry or an answer', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 10n));
    const archived = jarArchived(w);
    await h.handle(archived);

    expect(await accountsOf(w)).toEqual({ available: 10n, jar: 0n, jarClosed: true, availableClosed: false });
    expect(await entriesKeyed(`jar-archive:${w.jarId}`)).toEqual([]);
    expect(await answersTo(archived)).toEqual([]);
  });

  it('throws, to be retried, when the jar’s account is not open yet', async () => {
    const w = await h.openWallet();
    const early = jarArchived({ ...w, jarId: randomUUID() });
    await expect(h.handle(early)).rejects.toThrow(/not open yet/);
    expect(await answersTo(early)).toEqual([]);
  });

  it('serialises with allocations racing it: the money is swept or the allocation refused, never stranded', async () => {
    for (let round = 0; round < 10; round++) {
      const w = await h.openWallet();
      await h.apply(deposit(newKey(), w, 100n));
      const [, allocation] = await Promise.all([
        h.handle(jarArchived(w)),
        h.apply(transfer(newKey(), w.available, w.jar, 40n)),
      ]);
      const status = allocation.results[0]!.status === 'REJECTED' ? allocation.results[0]!.reason : 'POSTED';
      expect(['POSTED', 'WALLET_ARCHIVED']).toContain(status);
      expect(await accountsOf(w)).toEqual({
        available: 100n,
        jar: 0n,
        jarClosed: true,
        availableClosed: false,
      });
      expect(await entriesKeyed(`jar-archive:${w.jarId}`)).toHaveLength(status === 'POSTED' ? 1 : 0);
    }
  });

  it('leaves a ledger whose invariants all hold', async () => {
    const report = await checkLedger(db());
    expect(report.violations).toEqual([]);
    expect(report.checks['closed accounts are empty']).toBe(0);
  });
});
