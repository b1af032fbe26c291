import { notFound } from '@walletgraph/platform/errors';
import { DateTime } from '@walletgraph/platform/graphql/scalars';
import type { WalletView } from './domain/wallet.ts';
import type { Resolvers } from './generated/resolvers.ts';
import {
  archiveWallet,
  defaultWalletOf,
  openWallet,
  referencedWallet,
  visibleWallet,
  walletsOf,
} from './wallets.ts';

/**
 * A field only the wallet's owner sees. A counterparty's restricted view refuses it exactly as a
 * wallet that does not exist (NOT_FOUND), so nothing but the id and owner leaks.
 */
function ownerOnly<K extends 'name' | 'currency' | 'status' | 'createdAt' | 'ownerId'>(field: K) {
  return (wallet: WalletView): WalletView[K] => {
    if (wallet.restricted) throw notFound('wallet');
    return wallet[field];
  };
}

/** The GraphQL adapter: each resolver calls one use case (wallets.ts). */
export const resolvers: Resolvers = {
  DateTime,
  Query: {
    wallet: (_, args, ctx) => visibleWallet(ctx, args.id),
  },
  Mutation: {
    openWallet: (_, args, ctx) => openWallet(ctx, args.input),
    archiveWallet: (_, args, ctx) => archiveWallet(ctx, args.id),
  },
  Wallet: {
    __resolveReference: (ref, ctx) => referencedWallet(ctx, ref.id),
    owner: (wallet) => ({ __typename: 'User', id: wallet.ownerId }),
    name: ownerOnly('name'),
    currency: ownerOnly('currency'),
    status: ownerOnly('status'),
    createdAt: ownerOnly('createdAt'),
    ownerId: ownerOnly('ownerId'),
  },
  User: {
    __resolveReference: (ref) => ref,
    wallets: (user, args, ctx) => walletsOf(ctx, user.id, args),
    defaultWallet: (user, _, ctx) => defaultWalletOf(ctx, user.id),
  },
};
