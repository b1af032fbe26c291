import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import {
  checkArchivable,
  DEFAULT_JAR_NAME,
  decideNewJar,
  defaultJarFor,
  parseCreateJar,
  parseThresholds,
} from './jar.ts';

const now = new Date('2026-11-22T10:00:00Z');
const wallet = { walletId: '0196f0a0-0000-7000-8000-000000000001', ownerId: 'u1', currency: 'USD' };
const deps = { newId: () => 'j1', now };
/** Given the caller's view of the wallet, when they ask for a jar (a parsed request). */
const given = deciderSpecification(
  (state: Parameters<typeof decideNewJar>[1], request: Parameters<typeof decideNewJar>[0]) =>
    decideNewJar(request, state, deps),
);

describe('jar rules', () => {
  it('gives every new wallet an active Income jar in its currency, owned by the wallet owner', () => {
    const jar = defaultJarFor(wallet, deps);
    expect(jar).toMatchObject({
      id: 'j1',
      walletId: wallet.walletId,
      ownerId: 'u1',
      name: DEFAULT_JAR_NAME,
      kind: 'INCOME',
      currency: 'USD',
      status: 'ACTIVE',
      isDefault: true,
      goalTargetMinor: null,
      budgetLimitMinor: null,
      createdAt: now,
    });
  });

  it('creates a savings jar with its goal in minor units', () => {
    const request = parseCreateJar(
      {
        walletId: wallet.walletId,
        name: '  Holiday ',
        kind: 'SAVINGS',
        goalTarget: { amount: '1200.50', currency: 'USD' },
      },
      now,
    );
    given({ wallet, jarsInWallet: 1, viewerId: 'u1' })
      .when(request)
      .then(
        expect.objectContaining({
          name: 'Holiday',
          kind: 'SAVINGS',
          goalTargetMinor: 120050n,
          goalDeadline: null,
          isDefault: false,
        }),
      );
  });

  it('creates an expense jar with a monthly budget and the default thresholds', () => {
    const request = parseCreateJar(
      {
        walletId: wallet.walletId,
        name: 'Groceries',
        kind: 'EXPENSE',
        budgetLimit: { amount: '400', currency: 'USD' },
      },
      now,
    );
    given({ wallet, jarsInWallet: 1, viewerId: 'u1' })
      .when(request)
      .then(
        expect.objectContaining({
          budgetLimitMinor: 40000n,
          budgetPeriod: 'MONTHLY',
          budgetThresholds: [80, 100],
          rollsOver: false,
        }),
      );
  });

  it('creates an expense jar that only alerts by default, and one that blocks overspending when asked', () => {
    const expense = (blockOverspend?: boolean | null) =>
      decideNewJar(
        parseCreateJar(
          {
            walletId: wallet.walletId,
            name: 'Groceries',
            kind: 'EXPENSE',
            budgetLimit: { amount: '400', currency: 'USD' },
            blockOverspend,
          },
          now,
        ),
        { wallet, jarsInWallet: 1, viewerId: 'u1' },
        deps,
      );
    expect(expense().blocksOverspend).toBe(false);
    expect(expense(null).blocksOverspend).toBe(false);
    expect(expense(false).blocksOverspend).toBe(false);
    expect(expense(true).blocksOverspend).toBe(true);
  });

  it.each([
    { kind: 'SAVINGS', blockOverspend: true },
    { kind: 'SAVINGS', blockOverspend: false },
    { kind: 'INCOME', blockOverspend: true },
    { kind: 'INCOME', blockOverspend: false },
  ] as const)(
    'refuses blockOverspend: $blockOverspend on a jar of kind $kind, naming the field',
    ({ kind, blockOverspend }) => {
      const goalTarget = kind === 'SAVINGS' ? { goalTarget: { amount: '5', currency: 'USD' } } : {};
      const error = domainErrorOf(() =>
        parseCreateJar({ walletId: wallet.walletId, name: 'Car', kind, ...goalTarget, blockOverspend }, now),
      );
      expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.blockOverspend']);
    },
  );

  it.each([
    ['an empty name', ''],
    ['a blank name', '   '],
    ['a name over 60 characters', 'x'.repeat(61)],
    ['a name with a right-to-left override', 'Holiday\u202Eyadiloh'],
    ['a name with a zero-width space', 'Holi\u200Bday'],
  ])('refuses %s, naming the field', (_, name) => {
    const error = domainErrorOf(() =>
      parseCreateJar({ walletId: wallet.walletId, name, kind: 'SAVINGS' }, now),
    );
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.name']);
  });

  it('refuses a goal on a jar that is not SAVINGS, and a budget on one that is not EXPENSE', () => {
    const goal = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId: wallet.walletId,
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
          walletId: wallet.walletId,
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
        {
          walletId: wallet.walletId,
          name: 'Car',
          kind: 'SAVINGS',
          goalTarget: { amount: '0', currency: 'USD' },
        },
        now,
      ),
    );
    expect([zero.code, zero.details.field]).toEqual(['BAD_USER_INPUT', 'input.goalTarget.amount']);
    const negative = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId: wallet.walletId,
          name: 'Rent',
          kind: 'EXPENSE',
          budgetLimit: { amount: '-5', currency: 'USD' },
        },
        now,
      ),
    );
    expect([negative.code, negative.details.field]).toEqual(['BAD_USER_INPUT', 'input.budgetLimit.amount']);
    const past = domainErrorOf(() =>
      parseCreateJar(
        {
          walletId: wallet.walletId,
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
    const error = domainErrorOf(() =>
      parseCreateJar({ walletId: wallet.walletId, name: 'More income', kind: 'INCOME' }, now),
    );
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'input.kind']);
  });

  it('answers NOT_FOUND for another user’s wallet exactly as for an unknown one', () => {
    const request = parseCreateJar(
      {
        walletId: wallet.walletId,
        name: 'Car',
        kind: 'SAVINGS',
        goalTarget: { amount: '5', currency: 'USD' },
      },
      now,
    );
    const foreign = domainErrorOf(() =>
      decideNewJar(request, { wallet, jarsInWallet: 0, viewerId: 'u2' }, deps),
    );
    const unknown = domainErrorOf(() =>
      decideNewJar(request, { wallet: null, jarsInWallet: 0, viewerId: 'u2' }, deps),
    );
    expect([foreign.code, foreign.message]).toEqual(['NOT_FOUND', 'input.walletId: wallet not found']);
    expect([unknown.code, unknown.message]).toEqual([foreign.code, foreign.message]);
  });

  it('refuses a goal in another currency than the wallet’s', () => {
    const request = parseCreateJar(
      {
        walletId: wallet.walletId,
        name: 'Car',
        kind: 'SAVINGS',
        goalTarget: { amount: '5', currency: 'EUR' },
      },
      now,
    );
    given({ wallet, jarsInWallet: 0, viewerId: 'u1' })
      .when(request)
      .thenThrows('CURRENCY_MISMATCH', 'input.goalTarget.currency');
  });

  it('keeps thresholds unique and ascending', () => {
    expect(parseThresholds([100, 50, 100])).toEqual([50, 100]);
    expect(parseThresholds(null)).toEqual([80, 100]);
  });

  it.each([[[0]], [[1001]], [[50.5]], [[]]])(
    'refuses thresholds %j: each a whole 1–1000 %, at least one',
    (bad) => {
      expect(domainErrorOf(() => parseThresholds(bad)).details.field).toBe('input.thresholds');
    },
  );

  it('lets the owner archive a jar but never the wallet’s Income jar; another user’s jar is NOT_FOUND', () => {
    const income = { ...defaultJarFor(wallet, deps), createdAt: now };
    expect(domainErrorOf(() => checkArchivable(income, 'u1')).code).toBe('BAD_USER_INPUT');
    const savings = { ...income, id: 'j2', isDefault: false, kind: 'SAVINGS' as const };
    expect(checkArchivable(savings, 'u1')).toBe(savings);
    expect(domainErrorOf(() => checkArchivable(savings, 'u2')).code).toBe('NOT_FOUND');
  });
});
