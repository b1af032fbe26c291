import { addDays, periodContaining } from '@walletgraph/platform/periods';
import type { JarRow, PeriodAction } from '../db/schema.ts';

/** How long an expense jar's leftover waits after its period ends before it returns (docs/architecture.md §6). */
export const DEFAULT_GRACE_DAYS = 3;

/** A period move that is due: what to do with which jar for the period that ended at `periodEnd`. */
export interface DueMove {
  jarId: string;
  action: PeriodAction;
  periodEnd: Date;
  /** Deterministic, so a second run (or one after a crash) sends the same command: the ledger applies it once. */
  idempotencyKey: string;
}

/**
 * The period move due for a jar at `now`, if any, for the latest period that has ended:
 * - an INCOME jar resets at each month end (its whole balance returns to available);
 * - an EXPENSE jar that does not roll over returns its leftover once `graceDays` have passed
 *   since its budget period ended.
 * Only periods that ended after the jar was created count. SAVINGS jars, archived jars and
 * expense jars that roll over have no period moves.
 */
export function dueMove(
  jar: Pick<JarRow, 'id' | 'kind' | 'status' | 'budgetPeriod' | 'rollsOver' | 'createdAt'>,
  now: Date,
  graceDays = DEFAULT_GRACE_DAYS,
): DueMove | null {
  if (jar.status !== 'ACTIVE') return null;
  const move = (action: PeriodAction, periodEnd: Date): DueMove | null =>
    jar.createdAt.getTime() < periodEnd.getTime()
      ? {
          jarId: jar.id,
          action,
          periodEnd,
          idempotencyKey: `jar-period:${jar.id}:${periodEnd.toISOString()}:${action.toLowerCase()}`,
        }
      : null;
  switch (jar.kind) {
    case 'INCOME':
      return move('INCOME_RESET', periodContaining('MONTHLY', now).start);
    case 'EXPENSE': {
      if (jar.rollsOver || !jar.budgetPeriod) return null;
      const ended = periodContaining(jar.budgetPeriod, addDays(now, -graceDays)).start;
      return move('LEFTOVER_RETURN', ended);
    }
    case 'SAVINGS':
      return null;
  }
}
