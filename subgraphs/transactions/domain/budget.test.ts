import { describe, expect, it } from 'vitest';
import { type BlockingBudget, blockingBudget, checkBudget, type PeriodSpends, spentSoFar } from './budget.ts';

const budget: BlockingBudget = { limitMinor: 10_000n, period: 'MONTHLY' };
const blocks = { budgetLimitMinor: 10_000n, budgetPeriod: 'MONTHLY' as const, blocksOverspend: true };
const exceeded = { ok: false, failureCode: 'BUDGET_EXCEEDED' };

describe('which budget a request must stay within', () => {
  it('a spend from a jar that blocks overspending: its limit and period', () => {
    expect(blockingBudget({ kind: 'JAR_SPEND' }, blocks)).toEqual(budget);
  });

  it('none for a jar whose budget only raises alerts, a jar without a budget, or an unknown jar', () => {
    expect(blockingBudget({ kind: 'JAR_SPEND' }, { ...blocks, blocksOverspend: false })).toBeNull();
    expect(
      blockingBudget(
        { kind: 'JAR_SPEND' },
        { budgetLimitMinor: null, budgetPeriod: null, blocksOverspend: null },
      ),
    ).toBeNull();
    expect(blockingBudget({ kind: 'JAR_SPEND' }, null)).toBeNull();
  });

  it.each(['JAR_ALLOCATION', 'JAR_RELEASE', 'JAR_MOVE', 'WITHDRAWAL'] as const)(
    'none for a %s: only a spend spends the budget',
    (kind) => {
      expect(blockingBudget({ kind }, blocks)).toBeNull();
    },
  );
});

describe('what the period has spent', () => {
  it('counts COMPLETED spends and PENDING ones (the ledger may yet post them), not FAILED ones', () => {
    const spends: PeriodSpends = [
      { status: 'COMPLETED', amountMinor: 3_000n },
      { status: 'PENDING', amountMinor: 2_000n },
      { status: 'FAILED', amountMinor: 50_000n },
    ];
    expect(spentSoFar(spends)).toBe(5_000n);
  });

  it('is zero for a period without spends', () => {
    expect(spentSoFar([])).toBe(0n);
  });
});

describe('whether a spend fits the budget', () => {
  it('given 9,000 spent of 10,000, when spending exactly the remaining 1,000, then it is allowed', () => {
    expect(checkBudget(budget, [{ status: 'COMPLETED', amountMinor: 9_000n }], 1_000n)).toEqual({ ok: true });
  });

  it('given 9,000 spent of 10,000, when spending one minor unit more than remains, then BUDGET_EXCEEDED', () => {
    expect(checkBudget(budget, [{ status: 'COMPLETED', amountMinor: 9_000n }], 1_001n)).toEqual(exceeded);
  });

  it('given a PENDING spend holding the rest of the budget, when spending one minor unit, then BUDGET_EXCEEDED', () => {
    const spends: PeriodSpends = [
      { status: 'COMPLETED', amountMinor: 4_000n },
      { status: 'PENDING', amountMinor: 6_000n },
    ];
    expect(checkBudget(budget, spends, 1n)).toEqual(exceeded);
  });

  it('given a FAILED spend of the whole limit, when spending the whole limit, then it is allowed', () => {
    expect(checkBudget(budget, [{ status: 'FAILED', amountMinor: 10_000n }], 10_000n)).toEqual({ ok: true });
  });

  it('given nothing spent, when one spend is larger than the limit, then BUDGET_EXCEEDED', () => {
    expect(checkBudget(budget, [], 10_001n)).toEqual(exceeded);
  });
});
