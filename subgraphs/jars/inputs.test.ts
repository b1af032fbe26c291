import { DomainError } from '@walletgraph/platform/errors';
import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import { parseAllocationRules, parseCreateJar, parseThresholds, parseUpdateJarGoal } from './inputs.ts';

const now = new Date('2026-11-22T10:00:00Z');
const walletId = '0196f0a0-0000-7000-8000-000000000001';
const jarId = '0196f0a0-0000-7000-8000-00000000000a';
const car = { walletId, name: 'Car', kind: 'SAVINGS', goalTarget: { amount: '5', currency: 'USD' } } as const;

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

  it.each([
    [undefined, false],
    [null, false],
    [false, false],
    [true, true],
  ])(
    'makes an expense jar that only alerts by default: blockOverspend %s blocks overspending: %s',
    (blockOverspend, blocks) => {
      const request = parseCreateJar(
        {
          walletId,
          name: 'Groceries',
          kind: 'EXPENSE',
          budgetLimit: { amount: '400', currency: 'USD' },
          blockOverspend,
        },
        now,
      );
      expect(request.budget?.blocksOverspend).toBe(blocks);
    },
  );

  it.each([
    { name: 'in the form the database stores', typed: walletId.toUpperCase(), stored: walletId },
    { name: 'as none for text that names none', typed: 'no-such-wallet', stored: null },
  ])('keeps the wallet id $name', ({ typed, stored }) => {
    expect(parseCreateJar({ ...car, walletId: typed }, now).walletId).toBe(stored);
  });

  it.each([
    { blockOverspend: true, jar: 'a savings jar', input: car },
    { blockOverspend: false, jar: 'a savings jar', input: car },
    { blockOverspend: true, jar: 'an Income jar', input: { walletId, name: 'Pay', kind: 'INCOME' } as const },
    {
      blockOverspend: false,
      jar: 'an Income jar',
      input: { walletId, name: 'Pay', kind: 'INCOME' } as const,
    },
  ])('refuses blockOverspend: $blockOverspend on $jar, naming the field', ({ blockOverspend, input }) => {
    const error = domainErrorOf(() => parseCreateJar({ ...input, blockOverspend }, now));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.blockOverspend']);
  });

  it.each([
    { name: 'empty', value: '' },
    { name: 'blank', value: '   ' },
    { name: 'of 61 characters', value: 'x'.repeat(61) },
    { name: 'with a right-to-left override', value: 'Holiday\u202Eyadiloh' },
    { name: 'with a zero-width space', value: 'Holi\u200Bday' },
  ])('refuses a name $name, naming the field', ({ value }) => {
    const error = domainErrorOf(() => parseCreateJar({ walletId, name: value, kind: 'SAVINGS' }, now));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.name']);
  });

  it.each([
    {
      name: 'a goal on a jar that is not SAVINGS',
      input: {
        walletId,
        name: 'Food',
        kind: 'EXPENSE',
        budgetLimit: { amount: '1', currency: 'USD' },
        goalTarget: { amount: '5', currency: 'USD' },
      },
      field: 'input.goalTarget',
    },
    {
      name: 'a budget on a jar that is not EXPENSE',
      input: { ...car, budgetPeriod: 'WEEKLY' },
      field: 'input.budgetLimit',
    },
    {
      name: 'a goal of zero',
      input: { ...car, goalTarget: { amount: '0', currency: 'USD' } },
      field: 'input.goalTarget.amount',
    },
    {
      name: 'a negative budget',
      input: { walletId, name: 'Rent', kind: 'EXPENSE', budgetLimit: { amount: '-5', currency: 'USD' } },
      field: 'input.budgetLimit.amount',
    },
    {
      name: 'a deadline in the past',
      input: { ...car, goalDeadline: '2026-01-01T00:00:00Z' },
      field: 'input.goalDeadline',
    },
  ] as const)('refuses $name, naming $field', ({ input, field }) => {
    const error = domainErrorOf(() => parseCreateJar(input, now));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', field]);
  });

  it('refuses a second Income jar: every wallet has exactly one', () => {
    const error = domainErrorOf(() => parseCreateJar({ walletId, name: 'More income', kind: 'INCOME' }, now));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.kind']);
  });

  it.each([
    [
      [100, 50, 100],
      [50, 100],
    ],
    [null, [80, 100]],
  ])('keeps thresholds unique and ascending, %j as %j', (thresholds, kept) => {
    expect(parseThresholds(thresholds)).toEqual(kept);
  });

  it.each([[[0]], [[1001]], [[50.5]], [[]]])('refuses the thresholds %j, outside 1–1000 %', (bad) => {
    expect(domainErrorOf(() => parseThresholds(bad)).details.field).toBe('input.thresholds');
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
  });

  it('reads no jar id from text that names none', () => {
    expect(
      parseUpdateJarGoal({ jarId: 'nope', target: { amount: '1', currency: 'EUR' } }, now).jarId,
    ).toBeNull();
  });

  it.each([
    {
      name: 'a target that is not positive',
      input: { jarId, target: { amount: '0', currency: 'EUR' } },
      field: 'input.goalTarget.amount',
    },
    {
      name: 'a deadline in the past',
      input: { jarId, target: { amount: '1', currency: 'EUR' }, deadline: now },
      field: 'input.goalDeadline',
    },
  ])('refuses $name, naming $field', ({ input, field }) => {
    expect(domainErrorOf(() => parseUpdateJarGoal(input, now)).details.field).toBe(field);
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

  // One list, so that each error names its rule's place in it.
  const refusedRules = [
    { name: 'neither percent nor fixed', rule: { jarId }, field: 'rules[0]' },
    {
      name: 'both percent and fixed',
      rule: { jarId, percent: 5, fixed: { amount: '1', currency: 'USD' } },
      field: 'rules[1]',
    },
    { name: 'a percent outside 1–100', rule: { jarId, percent: 0 }, field: 'rules[2].percent' },
    {
      // 10^22 minor units: past the largest amount any input may name (and past Postgres' bigint).
      name: 'an amount past any limit',
      rule: { jarId, fixed: { amount: '100000000000000000000', currency: 'USD' } },
      field: 'rules[3].fixed.amount',
    },
    {
      name: 'a negative amount',
      rule: { jarId, fixed: { amount: '-1', currency: 'USD' } },
      field: 'rules[4].fixed.amount',
    },
  ];

  it.each(refusedRules.map((refused, index) => ({ ...refused, index })))(
    'keeps, as the rule’s share, the error of $name, naming $field',
    ({ index, field }) => {
      const shares = parseAllocationRules(refusedRules.map(({ rule }) => rule)).map((rule) => rule.share);
      expect(fieldOf(shares[index])).toBe(field);
    },
  );
});
