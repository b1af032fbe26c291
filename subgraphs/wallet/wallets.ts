import { uuidv7 } from '@walletgraph/events';
import { badInput, notFound } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { requestArchive } from './archive.ts';
import type { WalletContext } from './context.ts';
import { counterparties, type WalletRow, wallets } from './db/schema.ts';
import { ARCHIVE_WAIT_MS, archiveResult, needsArchiveRequest } from './domain/archive.ts';
import { isVisibleTo, refuseOpening, viewFor, type WalletView } from './domain/wallet.ts';
import { openedEvent } from './events.ts';
import { type OpenWalletInputShape, parseOpenWallet, walletPageSize } from './inputs.ts';

/** `Query.wallet`: the viewer's own wallet, or null (another user's is indistinguishable from none). */
export async function visibleWallet(ctx: WalletContext, id: string): Promise<WalletRow | null> {
  const walletId = parseId<'Wallet'>(id);
  if (!ctx.viewer || !walletId) return null;
  const [row] = await ctx.db.select().from(wallets).where(eq(wallets.id, walletId));
  return row && isVisibleTo(row, ctx.viewer.userId) ? row : null;
}

/**
 * A Wallet reference (an operation's counterpartyWallet): the viewer's own wallet in full; for
 * the other side of a completed transfer with it, a view restricted to its id and owner; else null.
 */
export async function referencedWallet(ctx: WalletContext, id: string): Promise<WalletView | null> {
  const walletId = parseId<'Wallet'>(id);
  if (!ctx.viewer || !walletId) return null;
  const viewerId = ctx.viewer.userId;
  const [row] = await ctx.db.select().from(wallets).where(eq(wallets.id, walletId));
  if (!row) return null;
  const [counterparty] = isVisibleTo(row, viewerId)
    ? []
    : await ctx.db
        .select({ walletId: counterparties.walletId })
        .from(counterparties)
        .where(and(eq(counterparties.viewerId, viewerId), eq(counterparties.walletId, row.id)));
  return viewFor(row, viewerId, counterparty !== undefined);
}

/**
 * `openWallet`: another wallet of the caller's, announced with `wallet.opened.v1` from the same
 * transaction, unless the caller holds `walletsPerUser` already (WALLET_LIMIT_REACHED). The count
 * is taken under a per-owner advisory lock held to commit: without it, racing calls would each
 * count the same wallets (READ COMMITTED does not see the others' uncommitted inserts) and all pass.
 */
export async function openWallet(ctx: WalletContext, input: OpenWalletInputShape): Promise<WalletRow> {
  const viewer = requireViewer(ctx);
  const { name, currency } = parseOpenWallet(input);
  return ctx.db.transaction(async (tx) => {
    await tx.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`walletgraph:open-wallet:${viewer.userId}`}))`,
    );
    const [owned] = await tx.select({ n: count() }).from(wallets).where(eq(wallets.ownerId, viewer.userId));
    const refused = refuseOpening(owned?.n ?? 0, ctx.services.walletsPerUser);
    if (refused) throw refused;
    const [row] = await tx
      .insert(wallets)
      .values({ id: uuidv7(), ownerId: viewer.userId, name, currency })
      .returning();
    await enqueue(tx, openedEvent(row!, { correlationId: ctx.correlationId }));
    return row!;
  });
}

/**
 * `archiveWallet`: archives a wallet if the ledger, the only judge of its money, finds every
 * account of it at zero (archive.ts). Another user's wallet and an unknown id are both NOT_FOUND;
 * an archived wallet is returned as it is (archiving is idempotent).
 */
export async function archiveWallet(ctx: WalletContext, id: string): Promise<WalletRow> {
  requireViewer(ctx);
  const wallet = await visibleWallet(ctx, id);
  if (!wallet) throw notFound('wallet');
  if (!needsArchiveRequest(wallet)) return wallet;
  const request = await requestArchive(ctx, wallet);
  const decided =
    request.status === 'PENDING'
      ? ((await ctx.services.archives.waitFor(request.id, ARCHIVE_WAIT_MS)) ?? request)
      : request;
  const current = (await visibleWallet(ctx, wallet.id)) ?? wallet;
  return archiveResult(current, decided);
}

/**
 * `User.wallets`: a page of the user's wallets, oldest first (by creation, then id), for the user
 * alone: `first` of them (walletPageSize), after the wallet whose id is `after`. An `after` that
 * is not one of the user's wallets is BAD_USER_INPUT on `after`.
 */
export async function walletsOf(
  ctx: WalletContext,
  userId: string,
  args: { first?: number | null; after?: string | null },
): Promise<WalletRow[]> {
  const size = walletPageSize(args.first);
  if (ctx.viewer?.userId !== userId) return [];
  const mine = eq(wallets.ownerId, userId);
  if (args.after == null) {
    return ctx.db
      .select()
      .from(wallets)
      .where(mine)
      .orderBy(asc(wallets.createdAt), asc(wallets.id))
      .limit(size);
  }
  const after = parseId<'Wallet'>(args.after);
  const [anchor] = after
    ? await ctx.db
        .select({ id: wallets.id })
        .from(wallets)
        .where(and(mine, eq(wallets.id, after)))
    : [];
  if (!anchor) throw badInput('after', 'is not the id of one of your wallets');
  // The anchor's position is read in SQL: created_at has microseconds, a JS Date only milliseconds.
  const position = sql`(select ${wallets.createdAt}, ${wallets.id} from ${wallets} where ${wallets.id} = ${anchor.id})`;
  return ctx.db
    .select()
    .from(wallets)
    .where(and(mine, sql`(${wallets.createdAt}, ${wallets.id}) > ${position}`))
    .orderBy(asc(wallets.createdAt), asc(wallets.id))
    .limit(size);
}

/** `User.defaultWallet`: the wallet opened at registration, for the user alone. */
export async function defaultWalletOf(ctx: WalletContext, userId: string): Promise<WalletRow | null> {
  if (ctx.viewer?.userId !== userId) return null;
  const [row] = await ctx.db
    .select()
    .from(wallets)
    .where(and(eq(wallets.ownerId, userId), eq(wallets.isDefault, true)));
  return row ?? null;
}
