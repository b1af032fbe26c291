import { DomainError } from '@walletgraph/platform/errors';
import type { ArchiveRequestRow, WalletRow } from '../db/schema.ts';

/** How long `archiveWallet` waits for the ledger's answer before returning the wallet as it is. */
export const ARCHIVE_WAIT_MS = 5000;

/**
 * What an archive request comes to for the mutation, once the ledger answered (or not in time):
 * - CLOSED: the wallet, now ARCHIVED;
 * - REFUSED: WALLET_NOT_EMPTY (the ledger's reason), and the wallet stays ACTIVE;
 * - still PENDING (no answer within the wait): the wallet as it is; it turns ARCHIVED once the
 *   ledger's answer arrives, which `wallet(id) { status }` shows.
 */
export function archiveResult(
  wallet: WalletRow,
  request: Pick<ArchiveRequestRow, 'status' | 'reason'>,
): WalletRow {
  if (request.status === 'REFUSED') {
    if (request.reason === 'WALLET_NOT_EMPTY') {
      throw new DomainError(
        'WALLET_NOT_EMPTY',
        'the wallet still holds money; empty it (and its jars) first',
      );
    }
    throw new Error(`archive refused for an unknown reason: ${request.reason}`);
  }
  return wallet;
}

/** Whether an archive needs asking at all: an archived wallet is returned as it is (idempotent). */
export function needsArchiveRequest(wallet: Pick<WalletRow, 'status'>): boolean {
  return wallet.status !== 'ARCHIVED';
}
