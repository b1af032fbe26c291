import { createEvent, type EventMeta, uuidv7 } from '@walletgraph/events';
import { notifyDecided } from '@walletgraph/platform/completion-waiter';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, desc, eq } from 'drizzle-orm';
import type { WalletContext, WalletExecutor } from './context.ts';
import { type ArchiveRequestRow, archiveRequests, type WalletRow, wallets } from './db/schema.ts';
import { ARCHIVE_DECIDED_CHANNEL } from './services.ts';

/**
 * Asks the ledger to close the wallet's accounts: the request row and its
 * `wallet.archive_requested.v1` commit together. A wallet with a PENDING request already (a
 * concurrent or earlier archive still unanswered) gets that one back instead of a second: the
 * partial unique index makes the insert do nothing, and the pending request is read again.
 */
export async function requestArchive(ctx: WalletContext, wallet: WalletRow): Promise<ArchiveRequestRow> {
  const meta = { correlationId: ctx.correlationId };
  const created = await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(archiveRequests)
      .values({ id: uuidv7(), walletId: wallet.id, ownerId: wallet.ownerId })
      .onConflictDoNothing()
      .returning();
    if (!row) return null;
    await enqueue(tx, archiveRequestedEvent(row, meta));
    return row;
  });
  if (created) return created;
  // The pending request that blocked the insert, or, if it was decided meanwhile, that decision.
  const [latest] = await ctx.db
    .select()
    .from(archiveRequests)
    .where(eq(archiveRequests.walletId, wallet.id))
    .orderBy(desc(archiveRequests.requestedAt), desc(archiveRequests.id))
    .limit(1);
  if (!latest) throw new Error(`archive request conflict without a request for wallet ${wallet.id}`);
  return latest;
}

/** The command asking the ledger to close a request's wallet. */
export function archiveRequestedEvent(request: ArchiveRequestRow, meta: EventMeta) {
  const { id: requestId, walletId, ownerId } = request;
  return createEvent(
    'wallet.archive_requested.v1',
    { aggregateId: walletId, data: { requestId, walletId, ownerId } },
    meta,
  );
}

/**
 * The ledger closed the wallet's accounts: the request is CLOSED, the wallet ARCHIVED and
 * `wallet.archived.v1` announced, all once (each update is conditional, so a redelivered or
 * replayed answer changes nothing); waiting mutations are notified at commit.
 */
export async function applyWalletClosed(
  tx: WalletExecutor,
  answer: { requestId: string; walletId: string; at: Date },
  meta: EventMeta,
): Promise<void> {
  await decide(tx, answer.requestId, { status: 'CLOSED', reason: null, decidedAt: answer.at });
  const [archived] = await tx
    .update(wallets)
    .set({ status: 'ARCHIVED' })
    .where(and(eq(wallets.id, answer.walletId), eq(wallets.status, 'ACTIVE')))
    .returning();
  if (archived) {
    await enqueue(
      tx,
      createEvent(
        'wallet.archived.v1',
        { aggregateId: archived.id, data: { walletId: archived.id, ownerId: archived.ownerId } },
        meta,
      ),
    );
  }
  await notifyDecided(tx, ARCHIVE_DECIDED_CHANNEL, [answer.requestId]);
}

/** The ledger refused to close the wallet's accounts: the request records why; the wallet stays ACTIVE. */
export async function applyWalletCloseRefused(
  tx: WalletExecutor,
  answer: { requestId: string; reason: string; at: Date },
): Promise<void> {
  await decide(tx, answer.requestId, { status: 'REFUSED', reason: answer.reason, decidedAt: answer.at });
  await notifyDecided(tx, ARCHIVE_DECIDED_CHANNEL, [answer.requestId]);
}

async function decide(
  tx: WalletExecutor,
  requestId: string,
  decision: Pick<ArchiveRequestRow, 'status' | 'reason' | 'decidedAt'>,
): Promise<void> {
  await tx
    .update(archiveRequests)
    .set(decision)
    .where(and(eq(archiveRequests.id, requestId), eq(archiveRequests.status, 'PENDING')));
}
