import { randomUUID } from 'node:crypto';
import type { Event } from '@walletgraph/events';
import { outbox } from '@walletgraph/platform/db/tables';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { closeArchivedWallet, requestWalletClose } from '../commands/close-wallet.ts';
import { accounts } from '../db/schema.ts';
import { checkLedger } from '../operator/invariants.ts';
import { deposit, newKey, type TestWallet, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

const h = useLedgerHarness();

const db = () => h.db.handle.db;

async function close(w: TestWallet) {
  const requestId = randomUUID();
  const decision = await db().transaction((tx) =>
    requestWalletClose(tx, { requestId, walletId: w.walletId, at: new Date() }, { correlationId: requestId }),
  );
  const rows = await db().select().from(outbox);
  const answers = rows
    .map((r) => r.envelope as Event)
    .filter(
      (e) =>
        (e.type === 'ledger.wallet_closed.v1' || e.type === 'ledger.wallet_close_refused.v1') &&
        e.data.requestId === requestId,
    );
  return { decision, answers };
}

const closedOf = async (w: TestWallet) =>
  (await db().select().from(accounts).where(eq(accounts.walletId, w.walletId))).map(
    (a) => a.closedAt !== null,
  );

describe('closing a wallet’s accounts (archive requests)', () => {
  it('closes every account of an empty wallet and answers wallet_closed; postings are then WALLET_ARCHIVED', async () => {
    const w = await h.openWallet();
    const { decision, answers } = await close(w);
    expect(decision.status).toBe('CLOSE');
    expect(answers.map((e) => e.type)).toEqual(['ledger.wallet_closed.v1']);
    expect(await closedOf(w)).toEqual([true, true]);
    const after = await h.apply(deposit(newKey(), w, 100n));
    expect(after.results).toMatchObject([{ status: 'REJECTED', reason: 'WALLET_ARCHIVED' }]);
    // Closing again (a redelivered request) answers the same and changes nothing.
    expect((await close(w)).answers.map((e) => e.type)).toEqual(['ledger.wallet_closed.v1']);
    // And the wallet.archived.v1 that follows is idempotent.
    await h.archiveWallet(w);
    expect(await closedOf(w)).toEqual([true, true]);
  });

  it('refuses WALLET_NOT_EMPTY while the available account or a jar holds money, and closes nothing', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 300n), transfer(newKey(), w.available, w.jar, 300n));
    const { decision, answers } = await close(w);
    expect(decision).toMatchObject({ status: 'REFUSED', reason: 'WALLET_NOT_EMPTY' });
    expect(answers).toMatchObject([
      { type: 'ledger.wallet_close_refused.v1', data: { reason: 'WALLET_NOT_EMPTY' } },
    ]);
    expect(await closedOf(w)).toEqual([false, false]);
    await expect(db().transaction((tx) => closeArchivedWallet(tx, w.walletId, new Date()))).rejects.toThrow(
      /not empty/,
    );
  });

  it('retries (throws) a request for a wallet the ledger has not seen open yet', async () => {
    const walletId = randomUUID();
    await expect(
      db().transaction((tx) =>
        requestWalletClose(tx, { requestId: randomUUID(), walletId, at: new Date() }, { correlationId: 'c' }),
      ),
    ).rejects.toThrow(/not open in the ledger yet/);
  });

  it('serialises a close with postings racing it: money is either stopped or the close refused', async () => {
    for (let round = 0; round < 10; round++) {
      const w = await h.openWallet();
      const [closing, posting] = await Promise.all([close(w), h.apply(deposit(newKey(), w, 10n))]);
      const posted = posting.results[0]!.status === 'POSTED';
      // Posted first: the close saw the money and refused. Closed first: the deposit was refused.
      expect(closing.decision.status).toBe(posted ? 'REFUSED' : 'CLOSE');
      if (!posted) expect(posting.results).toMatchObject([{ status: 'REJECTED', reason: 'WALLET_ARCHIVED' }]);
    }
    expect((await checkLedger(db())).violations).toEqual([]);
  });
});
