import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import { type AllocationRule, parseAllocationRules, splitDeposit } from './allocation.ts';

const jar = (n: number) => `0196f0a0-0000-7000-8000-00000000000${n}`;
const jars = [1, 2, 3].map((n) => ({ id: jar(n), status: 'ACTIVE' as const }));
const pct = (n: number, percent: number): AllocationRule => ({ jarId: jar(n), percent, fixedMinor: null });
const fixed = (n: number, minor: bigint): AllocationRule => ({
  jarId: jar(n),
  percent: null,
  fixedMinor: minor,
});

describe('splitting a deposit by allocation rules', () => {
  it('rounds each percent share down and leaves the remainder available', () => {
    const parts = splitDeposit(1001n, [pct(1, 33), pct(2, 33), pct(3, 33)]);
    expect(parts.map((p) => p.minor)).toEqual([330n, 330n, 330n]);
    expect(1001n - parts.reduce((s, p) => s + p.minor, 0n)).toBe(11n);
  });

  it('never creates or loses a minor unit, whatever the amount', () => {
    for (let amount = 0n; amount < 500n; amount += 7n) {
      const parts = splitDeposit(amount, [pct(1, 50), fixed(2, 99n), pct(3, 49)]);
      const total = parts.reduce((s, p) => s + p.minor, 0n);
      expect(total <= amount).toBe(true);
      expect(parts.every((p) => p.minor > 0n)).toBe(true);
    }
  });

  it('takes percents first, then fixed amounts in order, capped by what is left', () => {
    expect(splitDeposit(1000n, [fixed(1, 300n), pct(2, 50), fixed(3, 400n)])).toEqual([
      { jarId: jar(2), minor: 500n },
      { jarId: jar(1), minor: 300n },
      { jarId: jar(3), minor: 200n },
    ]);
  });

  it('splits nothing without rules, and leaves out zero parts of a tiny deposit', () => {
    expect(splitDeposit(500n, [])).toEqual([]);
    expect(splitDeposit(1n, [pct(1, 10), pct(2, 90)])).toEqual(
      [{ jarId: jar(2), minor: 0n }].filter((p) => p.minor > 0n),
    );
  });
});

describe('validating allocation rules', () => {
  const state = { walletCurrency: 'USD', jars };

  it('accepts percents and fixed amounts in the wallet’s currency', () => {
    expect(
      parseAllocationRules(
        [
          { jarId: jar(1), percent: 60 },
          { jarId: jar(2), fixed: { amount: '25.00', currency: 'USD' } },
        ],
        state,
      ),
    ).toEqual([pct(1, 60), fixed(2, 2500n)]);
  });

  it('refuses percents adding up to more than 100', () => {
    const error = domainErrorOf(() =>
      parseAllocationRules(
        [
          { jarId: jar(1), percent: 60 },
          { jarId: jar(2), percent: 41 },
        ],
        state,
      ),
    );
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'rules']);
  });

  it('refuses a rule with both or neither of percent and fixed, and a percent outside 1–100', () => {
    expect(domainErrorOf(() => parseAllocationRules([{ jarId: jar(1) }], state)).details.field).toBe(
      'rules[0]',
    );
    expect(
      domainErrorOf(() =>
        parseAllocationRules([{ jarId: jar(1), percent: 5, fixed: { amount: '1', currency: 'USD' } }], state),
      ).details.field,
    ).toBe('rules[0]');
    expect(
      domainErrorOf(() => parseAllocationRules([{ jarId: jar(1), percent: 0 }], state)).details.field,
    ).toBe('rules[0].percent');
    // 10^22 minor units: past the largest amount any input may name (and past Postgres' bigint).
    const huge = domainErrorOf(() =>
      parseAllocationRules(
        [{ jarId: jar(1), fixed: { amount: '100000000000000000000', currency: 'USD' } }],
        state,
      ),
    );
    expect([huge.code, huge.details.field]).toEqual(['BAD_USER_INPUT', 'rules[0].fixed.amount']);
  });

  it('answers NOT_FOUND for a jar outside the wallet, and refuses a jar named twice', () => {
    const foreign = domainErrorOf(() => parseAllocationRules([{ jarId: jar(9), percent: 5 }], state));
    expect([foreign.code, foreign.details.field]).toEqual(['NOT_FOUND', 'rules[0].jarId']);
    const twice = domainErrorOf(() =>
      parseAllocationRules(
        [
          { jarId: jar(1), percent: 5 },
          { jarId: jar(1), percent: 5 },
        ],
        state,
      ),
    );
    expect([twice.code, twice.details.field]).toEqual(['BAD_USER_INPUT', 'rules[1].jarId']);
  });

  it('refuses a fixed amount in another currency', () => {
    const error = domainErrorOf(() =>
      parseAllocationRules([{ jarId: jar(1), fixed: { amount: '1', currency: 'EUR' } }], state),
    );
    expect([error.code, error.details.field]).toEqual(['CURRENCY_MISMATCH', 'rules[0].fixed.currency']);
  });
});
