import { createEvent, type EventMeta } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, asc, eq, inArray, isNull } from 'drizzle-orm';
import type { LedgerTx } from './context.ts';
import { accounts } from './db/schema.ts';
import { type CloseDecision, decideClose } from './domain/close.ts';
import { toLedgerAccount } from './journal.ts';

/**
 * Thrown (so the broker retries) when a wallet's or jar's account is not open yet: the event
 * opening it is on its way.
 */
export class AccountNotOpenYetError extends Error {
  override name = 'AccountNotOpenYetError';
}

/**
 * Locks every account of a wallet (available and jars) FOR UPDATE, in id order: the order every
 * posting batch locks in, so a close and a batch wait for each other and never deadlock. A posting
 * batch that touches the wallet either committed before (and the close sees its balances) or
 * runs after (and sees the accounts closed: WALLET_ARCHIVED).
 */
async function lockWalletAccounts(tx: LedgerTx, walletId: string) {
  const rows = await tx
    .select()
    .from(accounts)
    .where(eq(accounts.walletId, walletId))
    .orderBy(asc(accounts.id))
    .for('update');
  if (rows.length === 0) throw new AccountNotOpenYetError(`wallet ${walletId} is not open in the ledger yet`);
  return rows.map(toLedgerAccount);
}

/** Closes the accounts (postings to them are then refused); one already closed keeps its date. */
export async function closeAccounts(tx: LedgerTx, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(accounts)
    .set({ closedAt: at })
    .where(and(inArray(accounts.id, [...ids]), isNull(accounts.closedAt)));
}

/**
 * Answers a `wallet.archive_requested.v1`: closes the wallet's accounts if every one is at zero and
 * answers `ledger.wallet_closed.v1`, else changes nothing and answers
 * `ledger.wallet_close_refused.v1` (WALLET_NOT_EMPTY). Both in the caller's transaction.
 */
export async function requestWalletClose(
  tx: LedgerTx,
  request: { requestId: string; walletId: string; at: Date },
  meta: EventMeta,
): Promise<CloseDecision> {
  const { requestId, walletId } = request;
  const decision = decideClose(await lockWalletAccounts(tx, walletId));
  if (decision.status === 'REFUSED') {
    const { reason, detail } = decision;
    await enqueue(
      tx,
      createEvent(
        'ledger.wallet_close_refused.v1',
        { aggregateId: walletId, data: { requestId, walletId, reason, detail } },
        meta,
      ),
    );
    return decision;
  }
  await closeAccounts(tx, decision.toClose, request.at);
  await enqueue(
    tx,
    createEvent('ledger.wallet_closed.v1', { aggregateId: walletId, data: { requestId, walletId } }, meta),
  );
  return decision;
}

/**
 * `wallet.archived.v1`: the wallet subgraph announces it only after this ledger closed the
 * accounts, so this normally closes nothing. Kept, idempotent, so the event's meaning (the
 * wallet's accounts are closed) holds whoever emits it. Refused (thrown) when it would close an
 * account holding money: that archive did not come through the ledger's check.
 */
export async function closeArchivedWallet(tx: LedgerTx, walletId: string, at: Date): Promise<void> {
  const decision = decideClose(await lockWalletAccounts(tx, walletId));
  if (decision.status === 'REFUSED') {
    throw new Error(`wallet ${walletId} archived while not empty (${decision.detail})`);
  }
  await closeAccounts(tx, decision.toClose, at);
}

/** Whether the wallet's available account is closed: a jar created after the close opens closed. */
export async function walletClosedAt(tx: LedgerTx, walletId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ closedAt: accounts.closedAt })
    .from(accounts)
    .where(and(eq(accounts.walletId, walletId), eq(accounts.kind, 'WALLET_AVAILABLE')));
  return row?.closedAt ?? null;
}
