import type { LedgerAccount } from './accounts.ts';

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

/** What archiving a jar (`jars.jar_archived.v1`) comes to. */
export type JarArchiveDecision =
  /** Its account, or its wallet's, is not open yet: the event opening it is on its way. */
  | { readonly status: 'NOT_OPEN_YET'; readonly detail: string }
  /** Closed already (a repeated archive, or its wallet's close): nothing more to do. */
  | { readonly status: 'CLOSED' }
  /** At zero: close it, without an entry. */
  | { readonly status: 'CLOSE' }
  /** Holding money: sweep it all to the wallet's available account, then close it. */
  | { readonly status: 'SWEEP_AND_CLOSE' }
  /** The jar is not the wallet's: the event contradicts the ledger's accounts. */
  | { readonly status: 'REFUSED'; readonly detail: string };

/**
 * Decides a jar's archive from its account and its wallet's available account (both locked;
 * `accounts` holds those that exist), so that an archived jar never strands money and is archived
 * once, however often the event comes.
 */
export function decideJarArchive(
  ids: { readonly jar: string; readonly available: string },
  accounts: ReadonlyMap<string, LedgerAccount>,
): JarArchiveDecision {
  const missing = [ids.jar, ids.available].find((id) => !accounts.has(id));
  if (missing) return { status: 'NOT_OPEN_YET', detail: `account ${missing} is not open yet` };
  const jar = accounts.get(ids.jar)!;
  if (jar.walletId !== accounts.get(ids.available)!.walletId) {
    return { status: 'REFUSED', detail: `${ids.jar} does not belong to ${ids.available}` };
  }
  if (jar.closed) return { status: 'CLOSED' };
  return jar.balance === 0n ? { status: 'CLOSE' } : { status: 'SWEEP_AND_CLOSE' };
}
