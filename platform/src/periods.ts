/**
 * Budget periods (docs/architecture.md §6), shared by the jars subgraph (period ends, spending shown
 * against a budget) and the transactions subgraph (refusing a spend past a blocking budget), so
 * both draw the same boundaries.
 */
export const budgetPeriods = ['WEEKLY', 'MONTHLY'] as const;
export type BudgetPeriod = (typeof budgetPeriods)[number];

/** A half-open span of time, `[start, end)`, in UTC. */
export interface Period {
  start: Date;
  end: Date;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The period that contains `at`. Periods are calendar periods in UTC, the same for every jar, so
 * they need no per-jar anchor and every replica computes the same boundaries: a month runs from
 * the 1st at 00:00 UTC to the next 1st (28 to 31 days, leap years included, as Date.UTC rolls
 * months over); a week is an ISO week, Monday 00:00 UTC to the next Monday.
 */
export function periodContaining(period: BudgetPeriod, at: Date): Period {
  switch (period) {
    case 'MONTHLY': {
      const y = at.getUTCFullYear();
      const m = at.getUTCMonth();
      return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
    }
    case 'WEEKLY': {
      const midnight = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
      // getUTCDay: Sunday 0 … Saturday 6; ISO weeks start on Monday.
      const sinceMonday = (at.getUTCDay() + 6) % 7;
      const start = midnight - sinceMonday * DAY_MS;
      return { start: new Date(start), end: new Date(start + 7 * DAY_MS) };
    }
  }
}

/** The period just before the one containing `at` (its end is the current period's start). */
export function previousPeriod(period: BudgetPeriod, at: Date): Period {
  const current = periodContaining(period, at);
  return periodContaining(period, new Date(current.start.getTime() - 1));
}

/** `at` moved by whole days of 24 hours (UTC has no daylight saving to skip). */
export function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * DAY_MS);
}
