import { createEvent, type EventMeta } from '@walletgraph/events';
import type { Logger } from '@walletgraph/platform/logger';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, eq, sql } from 'drizzle-orm';
import { type OperationRow, operations } from './db/schema.ts';
import { contradicts, type LedgerOutcome, operationSettledData, settlementFor } from './domain/settlement.ts';
import type { TransactionsExecutor } from './services.ts';
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
 * Settles an operation from the ledger's answer, inside the consumer's transaction: PENDING
 * becomes COMPLETED or FAILED exactly once (the conditional update is the guard, so an answer
 * delivered again, under any message id, changes nothing), the settlement is announced with
 * `transactions.operation_settled.v1` from the same transaction, and waiting mutations are
 * notified at commit. Answers to commands that no operation sent (operationId null, or another
 * service's) are not ours to settle.
 */
export async function settleOperation(
  tx: TransactionsExecutor,
  answer: { operationId: string | null; outcome: LedgerOutcome; at: Date },
  meta: EventMeta,
  logger: Logger,
): Promise<void> {
  const { operationId, outcome } = answer;
  if (!operationId) return;
  const settlement = settlementFor(outcome, answer.at);
  const [settled] = await tx
    .update(operations)
    .set(settlement)
    .where(and(eq(operations.id, operationId), eq(operations.status, 'PENDING')))
    .returning();
  if (!settled) {
    const [current] = await tx
      .select({ status: operations.status })
      .from(operations)
      .where(eq(operations.id, operationId));
    if (current && contradicts(current, outcome)) {
      logger.warn(
        { operationId, status: current.status, outcome },
        'ledger answer contradicts the settlement',
      );
    }
    return;
  }
  await enqueue(tx, operationSettledEvent(settled, meta));
  await tx.execute(sql`select pg_notify(${SETTLED_CHANNEL}, ${settled.id})`);
}
