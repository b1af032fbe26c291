import { badInput } from '@walletgraph/platform/errors';
import type { JarId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';
import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import {
  type AllocationRule,
  type AllocationRuleRequest,
  decideAllocationRules,
  MAX_ALLOCATION_RULES,
  splitDeposit,
} from './allocation.ts';

const jar = (n: number) => `0196f0a0-0000-7000-8000-00000000000${n}` as JarId;
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

describe('deciding a wallet’s allocation rules', () => {
  const state = { walletCurrency: 'USD', jars };
  const usd = (minor: bigint): Money => ({ minor, currency: 'USD' });
  const percentOf = (n: number, percent: number): AllocationRuleRequest => ({
    jarId: jar(n),
    share: { percent },
  });

  it('accepts percents and fixed amounts in the wallet’s currency', () => {
    expect(
      decideAllocationRules([percentOf(1, 60), { jarId: jar(2), share: { fixed: usd(2500n) } }], state),
    ).toEqual([pct(1, 60), fixed(2, 2500n)]);
  });

  it('refuses percents adding up to more than 100', () => {
    const error = domainErrorOf(() => decideAllocationRules([percentOf(1, 60), percentOf(2, 41)], state));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'rules']);
  });

  it('refuses more rules than MAX_ALLOCATION_RULES', () => {
    const many = Array.from({ length: MAX_ALLOCATION_RULES + 1 }, () => percentOf(1, 1));
    const error = domainErrorOf(() => decideAllocationRules(many, state));
    expect([error.code, error.details.field]).toEqual(['BAD_USER_INPUT', 'rules']);
  });

  it('answers NOT_FOUND for a jar outside the wallet or no jar at all, and refuses a jar named twice', () => {
    const foreign = domainErrorOf(() => decideAllocationRules([percentOf(9, 5)], state));
    expect([foreign.code, foreign.details.field]).toEqual(['NOT_FOUND', 'rules[0].jarId']);
    const none = domainErrorOf(() => decideAllocationRules([{ jarId: null, share: { percent: 5 } }], state));
    expect([none.code, none.details.field]).toEqual(['NOT_FOUND', 'rules[0].jarId']);
    const twice = domainErrorOf(() => decideAllocationRules([percentOf(1, 5), percentOf(1, 5)], state));
    expect([twice.code, twice.details.field]).toEqual(['BAD_USER_INPUT', 'rules[1].jarId']);
  });

  it('raises a refused share only after the rule’s jar checks, rule by rule', () => {
    const refused = badInput('rules[0].percent', 'must be a whole percent from 1 to 100');
    const unknownJar = domainErrorOf(() => decideAllocationRules([{ jarId: jar(9), share: refused }], state));
    expect(unknownJar.code).toBe('NOT_FOUND');
    expect(domainErrorOf(() => decideAllocationRules([{ jarId: jar(1), share: refused }], state))).toBe(
      refused,
    );
    const later = domainErrorOf(() =>
      decideAllocationRules([{ jarId: jar(1), share: refused }, percentOf(9, 5)], state),
    );
    expect(later).toBe(refused);
  });

  it('refuses a fixed amount in another currency', () => {
    const error = domainErrorOf(() =>
      decideAllocationRules([{ jarId: jar(1), share: { fixed: { minor: 100n, currency: 'EUR' } } }], state),
    );
    expect([error.code, error.details.field]).toEqual(['CURRENCY_MISMATCH', 'rules[0].fixed.currency']);
  });
});
