import { describe, expect, it } from 'vitest';
import { achievesGoal, progressPercent, remainingBudget, thresholdsReached } from './progress.ts';

describe('goal progress and budgets', () => {
  it('computes progress exactly from minor units, rounded down to two decimals', () => {
    expect(progressPercent(0n, 1000n)).toBe(0);
    expect(progressPercent(1n, 3n)).toBe(33.33);
    expect(progressPercent(1500n, 1000n)).toBe(150);
    expect(progressPercent(10n ** 18n, 10n ** 18n)).toBe(100);
  });

  it('achieves a goal the first time the balance reaches the target, and only then', () => {
    const jar = { kind: 'SAVINGS' as const, goalTargetMinor: 1000n, goalAchievedAt: null };
    expect(achievesGoal(jar, 999n)).toBe(false);
    expect(achievesGoal(jar, 1000n)).toBe(true);
    expect(achievesGoal({ ...jar, goalAchievedAt: new Date() }, 2000n)).toBe(false);
    expect(achievesGoal({ ...jar, kind: 'EXPENSE' }, 2000n)).toBe(false);
  });

  it('reaches each threshold at exactly its percent of the limit', () => {
    expect(thresholdsReached([80, 100], 10_000n, 7_999n)).toEqual([]);
    expect(thresholdsReached([80, 100], 10_000n, 8_000n)).toEqual([80]);
    expect(thresholdsReached([80, 100, 150], 10_000n, 12_000n)).toEqual([80, 100]);
  });

  it('never shows a negative remaining budget', () => {
    expect(remainingBudget(100n, 30n)).toBe(70n);
    expect(remainingBudget(100n, 130n)).toBe(0n);
  });
});
