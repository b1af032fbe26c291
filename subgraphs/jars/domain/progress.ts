import { type Period, periodContaining } from '@walletgraph/platform/periods';
import type { JarRow } from '../db/schema.ts';

/**
 * How far a savings jar is towards its goal, in percent with two decimals (0 for an empty jar,
 * past 100 when it holds more than the target). Computed in minor units, exactly, then rounded down.
 */
export function progressPercent(balance: bigint, target: bigint): number {
  if (target <= 0n || balance <= 0n) return 0;
  return Number((balance * 10_000n) / target) / 100;
}

/** Whether this balance achieves the jar's goal for the first time (a goal is achieved once). */
export function achievesGoal(
  jar: Pick<JarRow, 'kind' | 'goalTargetMinor' | 'goalAchievedAt'>,
  balance: bigint,
) {
  return (
    jar.kind === 'SAVINGS' &&
    jar.goalTargetMinor !== null &&
    jar.goalAchievedAt === null &&
    balance >= jar.goalTargetMinor
  );
}

/** The budget period of an expense jar at `at`. */
export function budgetPeriodAt(jar: Pick<JarRow, 'budgetPeriod'>, at: Date): Period | null {
  return jar.budgetPeriod ? periodContaining(jar.budgetPeriod, at) : null;
}

/**
 * The thresholds that `spent` has reached: each percent p with spent ≥ p % of the limit. The
 * caller records each (jar, period, threshold) once, so a threshold is announced once per period
 * however often it is recomputed.
 */
export function thresholdsReached(thresholds: readonly number[], limit: bigint, spent: bigint): number[] {
  return thresholds.filter((p) => spent * 100n >= BigInt(p) * limit);
}

/** What is left of the budget: the limit less what was spent, never below zero. */
export function remainingBudget(limit: bigint, spent: bigint): bigint {
  return spent >= limit ? 0n : limit - spent;
}
