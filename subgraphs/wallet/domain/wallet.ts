import { DomainError } from '@walletgraph/platform/errors';
import type { Currency } from '@walletgraph/platform/money';
import type { WalletRow } from '../db/schema.ts';

/** The name of the wallet every user gets at registration. */
export const DEFAULT_WALLET_NAME = 'Main';
export const MAX_WALLET_NAME_LENGTH = 60;

export type NewWallet = Omit<WalletRow, 'createdAt'> & { createdAt: Date };

/** The default wallet opened for a newly registered user, in the registration's currency. */
export function defaultWalletFor(
  user: { userId: string; currency: Currency },
  deps: { newId: () => string; now: Date },
): NewWallet {
  return {
    id: deps.newId(),
    ownerId: user.userId,
    name: DEFAULT_WALLET_NAME,
    currency: user.currency,
    status: 'ACTIVE',
    isDefault: true,
    createdAt: deps.now,
  };
}

/**
 * Whether a user holding `owned` wallets may open another: at most `limit` each (WALLETS_PER_USER),
 * archived wallets included, since they stay listed. The default wallet counts too, but is never
 * refused: it is opened for the user by an event, not asked for.
 */
export function refuseOpening(owned: number, limit: number): DomainError | null {
  return owned < limit
    ? null
    : new DomainError('WALLET_LIMIT_REACHED', `at most ${limit} wallets per user`, { limit });
}

/** Whether a viewer may see a wallet: only its owner may; everyone else is told it does not exist. */
export function isVisibleTo(wallet: Pick<WalletRow, 'ownerId'>, viewerId: string | undefined): boolean {
  return viewerId !== undefined && wallet.ownerId === viewerId;
}

/**
 * A wallet as the GraphQL layer holds it. A restricted view is what a counterparty of a
 * completed transfer may see: the wallet's id and owner, nothing else (api.graphql,
 * `Operation.counterpartyWallet`).
 */
export type WalletView = WalletRow & { restricted?: true };

/**
 * What a viewer may see of a wallet: all of it as its owner, its id and owner as a counterparty of
 * a completed transfer with it, otherwise nothing — indistinguishable from a wallet that does not exist.
 */
export function viewFor(
  wallet: WalletRow,
  viewerId: string | undefined,
  isCounterparty: boolean,
): WalletView | null {
  if (isVisibleTo(wallet, viewerId)) return wallet;
  return viewerId !== undefined && isCounterparty ? { ...wallet, restricted: true } : null;
}

/** Who becomes a counterparty of which wallet when an operation settles: both sides of a completed transfer. */
export function counterpartiesOf(settled: {
  kind: string;
  status: string;
  ownerId: string;
  walletId: string;
  counterpartyWalletId: string | null;
  counterpartyOwnerId: string | null;
}): { viewerId: string; walletId: string; ownerId: string }[] {
  const { kind, status, counterpartyWalletId, counterpartyOwnerId } = settled;
  if (kind !== 'TRANSFER' || status !== 'COMPLETED' || !counterpartyWalletId || !counterpartyOwnerId)
    return [];
  return [
    { viewerId: settled.ownerId, walletId: counterpartyWalletId, ownerId: counterpartyOwnerId },
    { viewerId: counterpartyOwnerId, walletId: settled.walletId, ownerId: settled.ownerId },
  ];
}
