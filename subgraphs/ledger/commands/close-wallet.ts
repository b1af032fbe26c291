import { createEvent, type EventMeta } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { LedgerTx } from '../context.ts';
import { closeAccounts, lockWalletAccounts } from '../db/accounts.ts';
import { type CloseDecision, decideClose } from '../domain/close.ts';

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
