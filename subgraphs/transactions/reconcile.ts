import type { EventMeta } from '@walletgraph/events';
import type { Database } from '@walletgraph/platform/db/database';
import { enqueueNotices } from '@walletgraph/platform/live/notices';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { pollUntilQuiet } from '@walletgraph/platform/poll';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { TransactionsExecutor, TransactionsSchema } from './context.ts';
import { operations } from './db/schema.ts';
import { operationSettledEvent, settledNotices } from './settlement.ts';

type TransactionsDatabase = Database<TransactionsSchema>;

/** What transactions' operations looked like before and after the ledger replayed its answers. */
export interface OperationsDrift {
  /** Operations PENDING before the replay. */
  pendingBefore: number;
  /** Of those, settled by the replayed answers: drift corrected. */
  corrected: string[];
  /** Still PENDING once the wait ended (their command has no ledger result, or it is still in flight). */
  stillPending: number;
}

/** The ids of the operations still PENDING (transactions' own database only). */
export async function pendingOperationIds(db: TransactionsExecutor): Promise<string[]> {
  const rows = await db
    .select({ id: operations.id })
    .from(operations)
    .where(eq(operations.status, 'PENDING'));
  return rows.map((r) => r.id);
}

/**
 * Waits until none of `pendingBefore` changes any more (or `timeoutMs` passes) and reports which
 * were settled meanwhile: the operations the replayed ledger answers corrected.
 */
export async function settledSince(
  db: TransactionsExecutor,
  pendingBefore: readonly string[],
  options: { timeoutMs: number },
): Promise<OperationsDrift> {
  const settled = async () =>
    pendingBefore.length === 0
      ? []
      : (
          await db
            .select({ id: operations.id })
            .from(operations)
            .where(and(inArray(operations.id, [...pendingBefore]), ne(operations.status, 'PENDING')))
        ).map((r) => r.id);
  const corrected = await pollUntilQuiet(settled, (ids) => ids.length === pendingBefore.length, options);
  return {
    pendingBefore: pendingBefore.length,
    corrected,
    stillPending: pendingBefore.length - corrected.length,
  };
}

/** How the ledger decided an operation's command (from the ledger's database, via reconcile). */
export type LedgerOutcome = { outcome: 'POSTED'; entryId: string } | { outcome: 'REJECTED'; reason: string };

/** An operation whose settled state disagrees with the ledger's decision, and what it was corrected to. */
export interface OperationCorrection {
  operationId: string;
  was: { status: string; failureCode: string | null; ledgerEntryId: string | null };
  now: { status: 'COMPLETED' | 'FAILED'; failureCode: string | null; ledgerEntryId: string | null };
}

/**
 * What a settled operation must look like given the ledger's decision, or null when it already
 * does. Pure. An operation failed up front (no command sent: RECIPIENT_NOT_FOUND and the like) has
 * no decision and is left as it is; a PENDING one is the replay's business.
 */
export function correctionFor(
  op: { id: string; status: string; failureCode: string | null; ledgerEntryId: string | null },
  decided: LedgerOutcome | undefined,
): OperationCorrection | null {
  if (!decided || op.status === 'PENDING') return null;
  const now =
    decided.outcome === 'POSTED'
      ? { status: 'COMPLETED' as const, failureCode: null, ledgerEntryId: decided.entryId }
      : { status: 'FAILED' as const, failureCode: decided.reason, ledgerEntryId: null };
  const agrees =
    op.status === now.status && op.failureCode === now.failureCode && op.ledgerEntryId === now.ledgerEntryId;
  if (agrees) return null;
  return {
    operationId: op.id,
    was: { status: op.status, failureCode: op.failureCode, ledgerEntryId: op.ledgerEntryId },
    now,
  };
}

/**
 * Corrects every settled operation that disagrees with the ledger's decision for its command
 * (the ledger is the source of truth for money, so the operation follows it) and returns what
 * changed. Each correction is one transaction: a conditional update (only from the state it was
 * read in, so a settlement racing with it wins and is left alone) and the corrected
 * `transactions.operation_settled.v1`, so every consumer of settlements (allocation rules,
 * counterparties) hears of it, with the users' live notices (`settledNotices`). Transactions'
 * own database; the caller brings the ledger's decisions.
 */
export async function correctSettledOperations(
  db: TransactionsDatabase,
  decisions: ReadonlyMap<string, LedgerOutcome>,
  meta: EventMeta,
): Promise<OperationCorrection[]> {
  const settled = await db
    .select({
      id: operations.id,
      status: operations.status,
      failureCode: operations.failureCode,
      ledgerEntryId: operations.ledgerEntryId,
    })
    .from(operations)
    // A bill payment sends the ledger two commands (hold, then capture or release) and takes its
    // failure code from the biller, not the ledger: one decision per operation does not describe it.
    .where(and(ne(operations.status, 'PENDING'), ne(operations.kind, 'BILL_PAYMENT')));
  const corrections: OperationCorrection[] = [];
  for (const op of settled) {
    const correction = correctionFor(op, decisions.get(op.id));
    if (!correction) continue;
    const applied = await db.transaction(async (tx) => {
      const [row] = await tx
        .update(operations)
        .set(correction.now)
        .where(
          and(
            eq(operations.id, op.id),
            eq(operations.status, op.status),
            op.ledgerEntryId === null
              ? isNull(operations.ledgerEntryId)
              : eq(operations.ledgerEntryId, op.ledgerEntryId),
          ),
        )
        .returning();
      if (!row) return null;
      await enqueue(tx, operationSettledEvent(row, meta));
      await enqueueNotices(tx, settledNotices([row]), meta);
      return row;
    });
    if (!applied) continue;
    corrections.push(correction);
  }
  return corrections;
}
