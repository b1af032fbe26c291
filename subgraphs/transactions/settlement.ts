import { createEvent, type EventMeta } from '@walletgraph/events';
import { notifyDecided } from '@walletgraph/platform/completion-waiter';
import { amongJsonRowIds, jsonText } from '@walletgraph/platform/db/json-rows';
import type { AddressedNotice } from '@walletgraph/platform/live/notices';
import type { Logger } from '@walletgraph/platform/logger';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { TransactionsExecutor } from './context.ts';
import { type OperationRow, operations } from './db/schema.ts';
import {
  contradicts,
  type LedgerOutcome,
  operationSettledData,
  settlementAudience,
  settlementFor,
} from './domain/settlement.ts';
import { SETTLED_CHANNEL } from './settlement-waiter.ts';

/** The `transactions.operation_settled.v1` event of a settled operation. */
export function operationSettledEvent(row: OperationRow, meta: EventMeta) {
  return createEvent(
    'transactions.operation_settled.v1',
    { aggregateId: row.id, data: operationSettledData(row) },
    meta,
  );
}

/**
 * The live notices that tell the users concerned that operations settled (`operationUpdated`):
 * id-only, the gateway re-reads each operation as its subscriber, so ownership is checked again
 * there. Written to the outbox in the settling transaction (`enqueueNotices`, or with the
 * operation's own events) by whoever settles: the settlement consumer, the intake for an
 * operation it refused at once, reconcile's corrections; and by the settlement consumer for a
 * bill payment whose hold it placed.
 */
export function settledNotices(rows: readonly OperationRow[]): AddressedNotice[] {
  return rows.flatMap((row) =>
    // Still PENDING (a bill payment's hold just placed): only its owner may see it.
    (row.status === 'PENDING' ? [row.ownerId] : settlementAudience(operationSettledData(row))).map(
      (userId): AddressedNotice => ({ userId, topic: 'operationUpdated', notice: { id: row.id } }),
    ),
  );
}

/** The ledger's answer to one operation's command, as a settlement consumer received it. */
export interface LedgerAnswer {
  operationId: string | null;
  /** The command's key: a bill payment's names its step (`billStepOf`). */
  idempotencyKey: string;
  outcome: LedgerOutcome;
  /** When the ledger answered: the operation's `settledAt`. */
  at: Date;
  /** The answer's event meta: the settlement event is caused by it. */
  meta: EventMeta;
}

/**
 * Settles operations from the ledger's answers, inside the consumer's transaction, set-based: one
 * UPDATE for the whole batch. PENDING becomes COMPLETED or FAILED exactly once (the conditional
 * update is the guard, so an answer delivered again, under any message id, changes nothing),
 * each settlement is announced with `transactions.operation_settled.v1` from the same
 * transaction, and waiting mutations are notified at commit (`notifyDecided`). Resolves the
 * operations it settled, for the caller to hand to this process's waiter once committed. Answers to commands that no
 * operation sent (operationId null, or another service's) are not ours to settle. Two answers
 * for one operation in one batch: the first wins, as if they had come one after the other.
 */
export async function settleOperations(
  tx: TransactionsExecutor,
  answers: readonly LedgerAnswer[],
  logger: Logger,
): Promise<OperationRow[]> {
  const first = new Map<string, LedgerAnswer>();
  for (const a of answers) if (a.operationId && !first.has(a.operationId)) first.set(a.operationId, a);
  if (first.size === 0) return [];
  // One jsonb parameter: the statement's text is the same for a batch of any size.
  const values = jsonText(
    [...first.values()].map((a) => {
      const s = settlementFor(a.outcome, a.at);
      return {
        id: a.operationId,
        status: s.status,
        failure_code: s.failureCode,
        ledger_entry_id: s.ledgerEntryId,
        settled_at: s.settledAt,
      };
    }),
  );
  const settled = await tx
    .update(operations)
    .set({
      status: sql`answer.status`,
      failureCode: sql`answer.failure_code`,
      ledgerEntryId: sql`answer.ledger_entry_id`,
      settledAt: sql`answer.settled_at`,
    })
    .from(
      sql`jsonb_to_recordset(${values}::jsonb)
        as answer(id uuid, status text, failure_code text, ledger_entry_id uuid, settled_at timestamptz)`,
    )
    .where(
      and(
        eq(operations.id, sql`answer.id`),
        amongJsonRowIds(operations.id, values, 'uuid'),
        eq(operations.status, 'PENDING'),
      ),
    )
    .returning(getTableColumns(operations));
  const settledIds = new Set(settled.map((row) => row.id));
  const repeats = answers.filter((a) => a.operationId && !settledIds.has(a.operationId));
  if (repeats.length > 0) await warnOfContradictions(tx, repeats, logger);
  await recordSettled(tx, settled, (row) => first.get(row.id)!.meta);
  return settled;
}

/**
 * What every settlement writes besides the operation, in its transaction: the
 * `transactions.operation_settled.v1` events, and the NOTIFY that wakes waiting mutations at commit.
 */
export async function recordSettled(
  tx: TransactionsExecutor,
  settled: readonly OperationRow[],
  metaOf: (row: OperationRow) => EventMeta,
): Promise<void> {
  if (settled.length === 0) return;
  // Pipelined on the transaction's connection: one round trip for both.
  await Promise.all([
    enqueue(
      tx,
      settled.map((row) => operationSettledEvent(row, metaOf(row))),
    ),
    notifyDecided(
      tx,
      SETTLED_CHANNEL,
      settled.map((row) => row.id),
    ),
  ]);
}

/** Answers for operations already settled: harmless repeats, unless they contradict the settlement. */
async function warnOfContradictions(
  tx: TransactionsExecutor,
  answers: readonly LedgerAnswer[],
  logger: Logger,
): Promise<void> {
  const rows = await tx
    .select({ id: operations.id, status: operations.status })
    .from(operations)
    .where(inArray(operations.id, [...new Set(answers.map((a) => a.operationId!))]));
  const status = new Map(rows.map((r) => [r.id, r.status]));
  for (const a of answers) {
    const current = status.get(a.operationId!);
    if (current && contradicts({ status: current }, a.outcome)) {
      logger.warn(
        { operationId: a.operationId, status: current, outcome: a.outcome },
        'ledger answer contradicts the settlement',
      );
    }
  }
}
