import { eq } from 'drizzle-orm';
import type { TransactionsExecutor } from './context.ts';
import { type OperationRow, scheduledPayments } from './db/schema.ts';
import { afterRun } from './domain/schedules.ts';

/**
 * Counts settled runs against their schedules (domain/schedules.ts `afterRun`): a COMPLETED run
 * forgets the failures, a FAILED one adds one and may pause the schedule. Called in the
 * transaction that settled them: by the settlement consumer for the ledger's answers (events.ts),
 * by the scheduler for runs refused or FAILED at creation. Rows of no schedule, or still PENDING,
 * count for nothing, so a batch without runs costs no statement. Each schedule's row is locked
 * (in id order, so two batches never wait on each other in a circle) and its runs applied in order.
 */
export async function recordScheduleRuns(
  tx: TransactionsExecutor,
  rows: readonly Pick<OperationRow, 'scheduleId' | 'status'>[],
  maxFailures: number,
): Promise<void> {
  const outcomes = new Map<string, ('COMPLETED' | 'FAILED')[]>();
  for (const row of rows) {
    if (!row.scheduleId || row.status === 'PENDING') continue;
    outcomes.set(row.scheduleId, [...(outcomes.get(row.scheduleId) ?? []), row.status]);
  }
  for (const scheduleId of [...outcomes.keys()].sort()) {
    const [schedule] = await tx
      .select({
        status: scheduledPayments.status,
        consecutiveFailures: scheduledPayments.consecutiveFailures,
      })
      .from(scheduledPayments)
      .where(eq(scheduledPayments.id, scheduleId))
      .for('update');
    if (!schedule) continue;
    const next = outcomes
      .get(scheduleId)!
      .reduce((state, outcome) => afterRun(state, outcome, maxFailures), schedule);
    await tx.update(scheduledPayments).set(next).where(eq(scheduledPayments.id, scheduleId));
  }
}
