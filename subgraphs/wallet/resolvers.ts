import { uuidv7 } from '@walletgraph/events';
import { badInput, notFound } from '@walletgraph/platform/errors';
import { DateTime } from '@walletgraph/platform/graphql/scalars';
import { isUuid } from '@walletgraph/platform/ids';
import { parseCurrency } from '@walletgraph/platform/money';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, asc, eq } from 'drizzle-orm';
import { requestArchive } from './archive.ts';
import { counterparties, type WalletRow, wallets } from './db/schema.ts';
import { ARCHIVE_WAIT_MS, archiveResult, needsArchiveRequest } from './domain/archive.ts';
import { isVisibleTo, MAX_WALLET_NAME_LENGTH, viewFor, type WalletView } from './domain/wallet.ts';
import { openedEvent } from './events.ts';
import type { Resolvers } from './generated/resolvers.ts';
import type { Context } from './server.ts';

async function visibleWallet(ctx: Context, id: string): Promise<WalletRow | null> {
  if (!ctx.viewer || !isUuid(id)) return null;
  const [row] = await ctx.db.select().from(wallets).where(eq(wallets.id, id));
  return row && isVisibleTo(row, ctx.viewer.userId) ? row : null;
}

async function isCounterparty(ctx: Context, viewerId: string, walletId: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ walletId: counterparties.walletId })
    .from(counterparties)
    .where(and(eq(counterparties.viewerId, viewerId), eq(counterparties.walletId, walletId)));
  return row !== undefined;
}

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

export const resolvers: Resolvers = {
  DateTime,
  Query: {
    wallet: (_, args, ctx) => visibleWallet(ctx, args.id),
  },
  Mutation: {
    async openWallet(_, args, ctx) {
      const viewer = requireViewer(ctx);
      const name = args.input.name.trim();
      if (name.length === 0 || name.length > MAX_WALLET_NAME_LENGTH) {
        throw badInput('input.name', `must be 1 to ${MAX_WALLET_NAME_LENGTH} characters`);
      }
      const currency = parseCurrency(args.input.currency, 'input.currency');
      return ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(wallets)
          .values({ id: uuidv7(), ownerId: viewer.userId, name, currency })
          .returning();
        await enqueue(tx, openedEvent(row!, { correlationId: ctx.correlationId }));
        return row!;
      });
    },
    /**
     * Archives a wallet if the ledger, the only judge of its money, finds every account of it at
     * zero (archive.ts). Another user's wallet and an unknown id are both NOT_FOUND; an archived
     * wallet is returned as it is (archiving is idempotent).
     */
    async archiveWallet(_, args, ctx) {
      requireViewer(ctx);
      const wallet = await visibleWallet(ctx, args.id);
      if (!wallet) throw notFound('wallet');
      if (!needsArchiveRequest(wallet)) return wallet;
      const request = await requestArchive(ctx, wallet);
      const decided =
        request.status === 'PENDING'
          ? ((await ctx.services.archives.waitFor(request.id, ARCHIVE_WAIT_MS)) ?? request)
          : request;
      const current = (await visibleWallet(ctx, wallet.id)) ?? wallet;
      return archiveResult(current, decided);
    },
  },
  Wallet: {
    // A reference (an operation's counterpartyWallet) also reaches the other side of a completed
    // transfer, restricted to the wallet's id and owner.
    async __resolveReference(ref, ctx) {
      if (!ctx.viewer || !isUuid(ref.id)) return null;
      const [row] = await ctx.db.select().from(wallets).where(eq(wallets.id, ref.id));
      if (!row) return null;
      return viewFor(row, ctx.viewer.userId, await isCounterparty(ctx, ctx.viewer.userId, row.id));
    },
    owner: (wallet) => ({ __typename: 'User', id: wallet.ownerId }),
    name: ownerOnly('name'),
    currency: ownerOnly('currency'),
    status: ownerOnly('status'),
    createdAt: ownerOnly('createdAt'),
    ownerId: ownerOnly('ownerId'),
  },
  User: {
    __resolveReference: (ref) => ref,
    async wallets(user, _, ctx) {
      if (ctx.viewer?.userId !== user.id) return [];
      return ctx.db
        .select()
        .from(wallets)
        .where(eq(wallets.ownerId, user.id))
        .orderBy(asc(wallets.createdAt));
    },
    async defaultWallet(user, _, ctx) {
      if (ctx.viewer?.userId !== user.id) return null;
      const [row] = await ctx.db
        .select()
        .from(wallets)
        .where(and(eq(wallets.ownerId, user.id), eq(wallets.isDefault, true)));
      return row ?? null;
    },
  },
};
