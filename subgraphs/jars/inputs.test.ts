import { DomainError } from '@walletgraph/platform/errors';
import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import { parseAllocationRules, parseCreateJar, parseThresholds, parseUpdateJarGoal } from './inputs.ts';

const now = new Date('2026-11-22T10:00:00Z');
const walletId = '0196f0a0-0000-7000-8000-000000000001';
const jarId = '0196f0a0-0000-7000-8000-00000000000a';

describe('parsing a createJar input', () => {
  it('reads a savings jar’s goal in minor units, its name trimmed', () => {
    const request = parseCreateJar(
      { walletId, name: '  Holiday ', kind: 'SAVINGS', goalTarget: { amount: '1200.50', currency: 'USD' } },
      now,
    );
    expect(request).toEqual({
      walletId,
      name: 'Holiday',
      kind: 'SAVINGS',
      goal: { target: { minor: 120050n, currency: 'USD' }, deadline: null },
      budget: null,
    });
  });

  it('gives an expense jar a monthly budget and the default thresholds', () => {
    const request = parseCreateJar(
      { walletId, name: 'Groceries', kind: 'EXPENSE', budgetLimit: { amount: '400', currency: 'USD' } },
      now,
    );
    expect(request.budget).toEqual({
      limit: { minor: 40000n, currency: 'USD' },
      period: 'MONTHLY',
      thresholds: [80, 100],
      rollsOver: false,
      blocksOverspend: false,
    });
  });

  it('makes an expense jar that only alerts by default, and one that blocks overspending when asked', () => {
    const expense = (blockOverspend?: boolean | null) =>
      parseCreateJar(
        {
          walletId,
          name: 'Groceries',
          kind: 'EXPENSE',
          budgetLimit: { amount: '400', currency: 'USD' },
          blockOverspend,
        },
        now,
      ).budget?.blocksOverspend;
    expect(expense()).toBe(false);
    expect(expense(null)).toBe(false);
    expect(expense(false)).toBe(false);
    expect(expense(true)).toBe(true);
  });

  it('keeps the wallet id in the form the database stores, and no id for text that names none', () => {
    const upper = parseCreateJar(
      {
        walletId: walletId.toUpperCase(),
        name: 'Car',
        kind: 'SAVINGS',
        goalTarget: { amount: '5', currency: 'USD' },
      },
      now,
    );
    expect(upper.walletId).toBe(walletId);
    const unknown = parseCreateJar(
      {
        walletId: 'no-such-wallet',
        name: 'Car',
        kind: 'SAVINGS',
        goalTarget: { amount: '5', currency: 'USD' },
      },
      now,
    );
    expect(unknown.walletId).toBeNull();
  });

  it('refuses blockOverspend, even false, on a jar that is not EXPENSE, naming the field', () => {
    for (const blockOverspend of [true, false]) {
      const savings = domainErrorOf(() =>
        parseCreateJar(
          {
            walletId,
            name: 'Car',
            kind: 'SAVINGS',
            goalTarget: { amount: '5', currency: 'USD' },
            blockOverspend,
          },
          now,
        ),
      );
      expect([savings.code, savings.details.field]).toEqual(['BAD_USER_INPUT', 'input.blockOverspend']);
      const income = domainErrorOf(() =>
        parseCreateJar({ walletId, name: 'Pay', kind: 'INCOME', blockOverspend }, now),
      );
      expect([income.code, income.details.field]).toEqual(['BAD_USER_INPUT', 'input.blockOverspend']);
    }
  });

  it('refuses empty and over-long names, naming the field', () => {
    for (const name of ['', '   ', 'x'.repeat(61), 'Holiday\u202Eyadiloh', 'Holi\u200Bday']) {
      const error = domainErrorOf(() => parseCreateJar({ walletId, name, kind: 'SAVINGS' }, now));
      expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.name']);
    }
  });

  it('refuses a goal on a jar that is not SAVINGS, and a budget on one that is not EXPENSE', () => {
    const goal = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId,
          name: 'Food',
          kind: 'EXPENSE',
          budgetLimit: { amount: '1', currency: 'USD' },
          goalTarget: { amount: '5', currency: 'USD' },
        },
        now,
      ),
    );
    expect([goal.code, goal.details.field]).toEqual(['BAD_USER_INPUT', 'input.goalTarget']);
    const budget = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId,
          name: 'Car',
          kind: 'SAVINGS',
          goalTarget: { amount: '5', currency: 'USD' },
          budgetPeriod: 'WEEKLY',
        },
        now,
      ),
    );
    expect([budget.code, budget.details.field]).toEqual(['BAD_USER_INPUT', 'input.budgetLimit']);
  });

  it('refuses a goal or budget that is not positive, and a deadline in the past', () => {
    const zero = domainErrorOf(() =>
      parseCreateJar(
        { walletId, name: 'Car', kind: 'SAVINGS', goalTarget: { amount: '0', currency: 'USD' } },
        now,
      ),
    );
    expect([zero.code, zero.details.field]).toEqual(['BAD_USER_INPUT', 'input.goalTarget.amount']);
    const negative = domainErrorOf(() =>
      parseCreateJar(
        { walletId, name: 'Rent', kind: 'EXPENSE', budgetLimit: { amount: '-5', currency: 'USD' } },
        now,
      ),
    );
    expect([negative.code, negative.details.field]).toEqual(['BAD_USER_INPUT', 'input.budgetLimit.amount']);
    const past = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId,
          name: 'Car',
          kind: 'SAVINGS',
          goalTarget: { amount: '5', currency: 'USD' },
          goalDeadline: '2026-01-01T00:00:00Z',
        },
        now,
      ),
    );
    expect([past.code, past.details.field]).toEqual(['BAD_USER_INPUT', 'input.goalDeadline']);
  });

  it('refuses a second Income jar: every wallet has exactly one', () => {
    const error = domainErrorOf(() => parseCreateJar({ walletId, name: 'More income', kind: 'INCOME' }, now));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.kind']);
  });

  it('keeps thresholds unique and ascending, and refuses ones outside 1–1000 %', () => {
    expect(parseThresholds([100, 50, 100])).toEqual([50, 100]);
    expect(parseThresholds(null)).toEqual([80, 100]);
    for (const bad of [[0], [1001], [50.5], []]) {
      expect(domainErrorOf(() => parseThresholds(bad)).details.field).toBe('input.thresholds');
    }
  });
});

describe('parsing an updateJarGoal input', () => {
  it('reads the new goal, and the jar id in the form the database stores', () => {
    const deadline = new Date('2027-01-01T00:00:00Z');
    const update = parseUpdateJarGoal(
      { jarId: jarId.toUpperCase(), target: { amount: '10', currency: 'EUR' }, deadline },
      now,
    );
    expect(update).toEqual({ jarId, goal: { target: { minor: 1000n, currency: 'EUR' }, deadline } });
    expect(
      parseUpdateJarGoal({ jarId: 'nope', target: { amount: '1', currency: 'EUR' } }, now).jarId,
    ).toBeNull();
  });

  it('refuses a target that is not positive, and a deadline in the past', () => {
    const zero = domainErrorOf(() =>
      parseUpdateJarGoal({ jarId, target: { amount: '0', currency: 'EUR' } }, now),
    );
    expect(zero.details.field).toBe('input.goalTarget.amount');
    const past = domainErrorOf(() =>
      parseUpdateJarGoal({ jarId, target: { amount: '1', currency: 'EUR' }, deadline: now }, now),
    );
    expect(past.details.field).toBe('input.goalDeadline');
  });
});

describe('parsing setAllocationRules’ rules', () => {
  const fieldOf = (share: unknown) => {
    expect(share).toBeInstanceOf(DomainError);
    const error = share as DomainError;
    expect(error.code).toBe('BAD_USER_INPUT');
    return error.details.field;
  };

  it('reads percents and fixed amounts, and jar ids in the form the database stores', () => {
    expect(
      parseAllocationRules([
        { jarId: jarId.toUpperCase(), percent: 60 },
        { jarId: 'not-a-jar', fixed: { amount: '25.00', currency: 'USD' } },
      ]),
    ).toEqual([
      { jarId, share: { percent: 60 } },
      { jarId: null, share: { fixed: { minor: 2500n, currency: 'USD' } } },
    ]);
  });

  it('keeps, as the rule’s share, the error of both or neither of percent and fixed, a percent outside 1–100, and an amount out of range', () => {
    const [neither, both, zero, huge, negative] = parseAllocationRules([
      { jarId },
      { jarId, percent: 5, fixed: { amount: '1', currency: 'USD' } },
      { jarId, percent: 0 },
      // 10^22 minor units: past the largest amount any input may name (and past Postgres' bigint).
      { jarId, fixed: { amount: '100000000000000000000', currency: 'USD' } },
      { jarId, fixed: { amount: '-1', currency: 'USD' } },
    ]).map((rule) => rule.share);
    expect(fieldOf(neither)).toBe('rules[0]');
    expect(fieldOf(both)).toBe('rules[1]');
    expect(fieldOf(zero)).toBe('rules[2].percent');
    expect(fieldOf(huge)).toBe('rules[3].fixed.amount');
    expect(fieldOf(negative)).toBe('rules[4].fixed.amount');
  });
});
