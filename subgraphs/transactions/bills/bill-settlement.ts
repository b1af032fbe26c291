import type { Logger } from '@walletgraph/platform/logger';
import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import type { TransactionsExecutor } from '../context.ts';
import { billPayments, type OperationRow, operations } from '../db/schema.ts';
import { billStepOf } from '../domain/bill-payments.ts';
import { type LedgerAnswer, recordSettled } from '../settlement.ts';
import { PAYMENTS_DUE_CHANNEL } from './payment-worker.ts';

/** What the ledger's answers to bill payments' commands did. */
export interface BillSettlement {
  /** Operations whose hold the ledger placed: now OPEN, and due for the payment worker. */
  held: OperationRow[];
  /** Operations settled: a hold refused, a capture or a release posted. */
  settled: OperationRow[];
}

/** Whether an answer is to a bill payment's command (its key names the step). */
export function isBillAnswer(answer: LedgerAnswer): boolean {
  return billStepOf(answer.idempotencyKey) !== null;
}

/**
 * Applies the ledger's answers to bill payments' commands, inside the settlement consumer's
 * transaction. Each step moves its operation forward once, guarded by the state it expects (an
 * answer delivered again changes nothing):
 * - hold posted: the hold is OPEN (announced), and the payment is due for the worker (NOTIFY);
 * - hold refused (e.g. INSUFFICIENT_FUNDS): the operation FAILED with the ledger's reason, and
 *   the biller is never called;
 * - capture posted: COMPLETED, the hold CAPTURED; the receipt was kept when the worker decided;
 * - release posted: FAILED with the code the worker decided on (BILLER_REJECTED, ...), the hold
 *   RELEASED.
 * The ledger cannot refuse a capture or a release the worker sent for an open hold; if it ever
 * does, the operation is left PENDING and the contradiction logged for an operator.
 */
export async function settleBillAnswers(
  tx: TransactionsExecutor,
  answers: readonly LedgerAnswer[],
  logger: Logger,
): Promise<BillSettlement> {
  const result: BillSettlement = { held: [], settled: [] };
  for (const answer of answers) {
    const step = billStepOf(answer.idempotencyKey);
    if (!step) continue;
    const { operationId } = step;
    const pending = and(eq(operations.id, operationId), eq(operations.status, 'PENDING'));
    const { outcome } = answer;
    if (step.step === 'hold' && outcome.result === 'posted') {
      const [row] = await tx
        .update(operations)
        .set({ holdStatus: 'OPEN' })
        .where(and(pending, isNull(operations.holdStatus)))
        .returning(getTableColumns(operations));
      if (!row) continue;
      await tx
        .update(billPayments)
        .set({ step: 'PAY', nextAttemptAt: sql`now()` })
        .where(and(eq(billPayments.operationId, operationId), eq(billPayments.step, 'HOLD')));
      result.held.push(row);
      continue;
    }
    if (outcome.result === 'rejected' && step.step !== 'hold') {
      logger.error(
        { operationId, step: step.step, reason: outcome.reason },
        'the ledger refused to settle an open hold',
      );
      continue;
    }
    const [row] = await tx
      .update(operations)
      .set(
        outcome.result === 'rejected'
          ? { status: 'FAILED', failureCode: outcome.reason, settledAt: answer.at }
          : step.step === 'capture'
            ? {
                status: 'COMPLETED',
                holdStatus: 'CAPTURED',
                ledgerEntryId: outcome.entryId,
                settledAt: answer.at,
              }
            : {
                status: 'FAILED',
                holdStatus: 'RELEASED',
                settledAt: answer.at,
                failureCode: sql`(select failure_code from bill_payments where operation_id = ${operationId})`,
              },
      )
      .where(
        step.step === 'hold'
          ? and(pending, isNull(operations.holdStatus))
          : and(pending, eq(operations.holdStatus, 'OPEN')),
      )
      .returning(getTableColumns(operations));
    if (!row) continue;
    await tx.update(billPayments).set({ step: 'DONE' }).where(eq(billPayments.operationId, operationId));
    result.settled.push(row);
  }
  const metaOf = new Map(answers.map((a) => [billStepOf(a.idempotencyKey)?.operationId, a.meta]));
  await recordSettled(tx, result.settled, (row) => metaOf.get(row.id)!);
  if (result.held.length > 0) await tx.execute(sql`select pg_notify(${PAYMENTS_DUE_CHANNEL}, '')`);
  return result;
}
