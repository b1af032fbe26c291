import type { LedgerAccount } from './posting.ts';

/** What closing a wallet's accounts comes to. */
export type CloseDecision =
  /** Every account is at zero (or already closed): close the open ones. */
  | { readonly status: 'CLOSE'; readonly toClose: readonly string[] }
  | { readonly status: 'REFUSED'; readonly reason: 'WALLET_NOT_EMPTY'; readonly detail: string };

/**
 * Decides whether a wallet's accounts (its available account and its jars', all of them, locked)
 * may close: only when every one holds nothing, so archiving never strands money. Closing again
 * is allowed and closes nothing more.
 */
export function decideClose(accounts: readonly LedgerAccount[]): CloseDecision {
  const holding = accounts.filter((a) => a.balance !== 0n);
  if (holding.length > 0) {
    const detail = holding.map((a) => `${a.id} holds ${a.balance}`).join(', ');
    return { status: 'REFUSED', reason: 'WALLET_NOT_EMPTY', detail };
  }
  return { status: 'CLOSE', toClose: accounts.filter((a) => !a.closed).map((a) => a.id) };
}
