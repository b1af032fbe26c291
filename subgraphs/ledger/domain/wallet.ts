import { isCurrency } from '@walletgraph/platform/money';

/**
 * A wallet as the ledger knows it (the parent of the ledger's `Wallet` fields): resolved only for
 * its owner, in the currency of its available account. `opened` is false for a wallet the viewer
 * owns whose accounts the ledger has not opened yet (its `wallet.opened.v1` is on its way): it
 * reads as empty, never as anyone's accounts.
 */
export interface LedgerWallet {
  id: string;
  currency: string;
  opened: boolean;
}

/** The fields the gateway sends along with a Wallet or Jar reference (`@requires`). */
export interface RequiredFields {
  currency?: unknown;
  ownerId?: unknown;
}

/**
 * The currency of an entity the viewer owns but whose account is not open yet, or null. The
 * owner is the one the gateway read from the entity's own subgraph; whoever claims to own an
 * entity the ledger holds no account of theirs for gets an empty one, whether the id is unknown,
 * belongs to someone else, or is on its way: the answer depends on nothing but the caller's
 * own accounts, so it tells nothing about anyone else's.
 */
export function notOpenedYet(ref: object, viewerId: string | undefined): string | null {
  // A reference carries the required fields only when the gateway asked for them (or a direct caller sent them).
  const { currency, ownerId } = ref as RequiredFields;
  if (!viewerId || ownerId !== viewerId || typeof currency !== 'string') return null;
  return isCurrency(currency) ? currency : null;
}
