import { describe, expect, it } from 'vitest';
import { achievesGoal, progressPercent, remainingBudget, thresholdsReached } from './progress.ts';

describe('goal progress and budgets', () => {
  it.each([
    [0n, 1000n, 0],
    [1n, 3n, 33.33],
    [1500n, 1000n, 150],
    [10n ** 18n, 10n ** 18n, 100],
  ])(
    'computes progress exactly from minor units, rounded down to two decimals: %s of %s is %s %',
    (balance, target, percent) => {
      expect(progressPercent(balance, target)).toBe(percent);
    },
  );

  describe('achieving a goal the first time the balance reaches the target, and only then', () => {
    const jar = { kind: 'SAVINGS' as const, goalTargetMinor: 1000n, goalAchievedAt: null };
    it.each([
      { name: 'not just below the target', jar, balance: 999n, achieves: false },
      { name: 'at the target', jar, balance: 1000n, achieves: true },
      {
        name: 'not again once achieved',
        jar: { ...jar, goalAchievedAt: new Date() },
        balance: 2000n,
        achieves: false,
      },
      {
        name: 'never for an expense jar',
        jar: { ...jar, kind: 'EXPENSE' as const },
        balance: 2000n,
        achieves: false,
      },
    ])('$name', ({ jar, balance, achieves }) => {
      expect(achievesGoal(jar, balance)).toBe(achieves);
    });
  });

  it.each([
    { thresholds: [80, 100], spent: 7_999n, reached: [] },
    { thresholds: [80, 100], spent: 8_000n, reached: [80] },
    { thresholds: [80, 100, 150], spent: 12_000n, reached: [80, 100] },
  ])(
    'reaches each threshold at exactly its percent of the limit: $spent of 10000 reaches $reached',
    ({ thresholds, spent, reached }) => {
      expect(thresholdsReached(thresholds, 10_000n, spent)).toEqual(reached);
    },
  );

  it.each([
    [30n, 70n],
    [130n, 0n],
  ])('never shows a negative remaining budget: %s spent of 100 leaves %s', (spent, remaining) => {
    expect(remainingBudget(100n, spent)).toBe(remaining);
  });
});
