import { uuidv7 } from '@walletgraph/events';
import { badInput, notFound } from '@walletgraph/platform/errors';
import { DateTime } from '@walletgraph/platform/graphql/scalars';
import { isUuid } from '@walletgraph/platform/ids';
import { parseCurrency } from '@walletgraph/platform/money';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, asc, eq } from 'drizzle-orm';
import { requestArchive } from './archive.ts';
import { type WalletRow, wallets } from './db/schema.ts';
import { ARCHIVE_WAIT_MS, archiveResult, needsArchiveRequest } from './domain/archive.ts';
import { isVisibleTo, MAX_WALLET_NAME_LENGTH } from './domain/wallet.ts';
import { openedEvent } from './events.ts';
import type { Resolvers } from './generated/resolvers.ts';
import type { Context } from './server.ts';

async function visibleWallet(ctx: Context, id: string): Promise<WalletRow | null> {
  if (!ctx.viewer || !isUuid(id)) return null;
  const [row] = await ctx.db.select().from(wallets).where(eq(wallets.id, id));
  return row && isVisibleTo(row, ctx.viewer.userId) ? row : null;
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
    __resolveReference: (ref, ctx) => visibleWallet(ctx, ref.id),
    owner: (wallet) => ({ __typename: 'User', id: wallet.ownerId }),
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
