import type { EventMeta } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, eq, inArray, ne } from 'drizzle-orm';
import { archiveRequestedEvent } from './archive.ts';
import type { WalletExecutor } from './context.ts';
import { archiveRequests } from './db/schema.ts';

/**
 * Asks the ledger again about every archive request still PENDING (reconcile): an answer that was
 * lost leaves the request, and the wallet, waiting forever. The ledger decides a repeated request
 * as the first (closing closed accounts closes nothing more), and each answer applies once.
 * Returns the ids asked about. Wallet's own database only.
 */
export async function resendPendingArchiveRequests(db: WalletExecutor, meta: EventMeta): Promise<string[]> {
  return db.transaction(async (tx) => {
    const pending = await tx.select().from(archiveRequests).where(eq(archiveRequests.status, 'PENDING'));
    if (pending.length > 0)
      await enqueue(
        tx,
        pending.map((request) => archiveRequestedEvent(request, meta)),
      );
    return pending.map((r) => r.id);
  });
}

/** Of these archive requests, the ones decided now (CLOSED or REFUSED). */
export async function decidedArchiveRequests(db: WalletExecutor, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: archiveRequests.id })
    .from(archiveRequests)
    .where(and(inArray(archiveRequests.id, [...ids]), ne(archiveRequests.status, 'PENDING')));
  return rows.map((r) => r.id);
}
