import { badInput } from '@walletgraph/platform/errors';
import type { JarId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';
import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
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

  const amountsUpTo500 = Array.from({ length: Math.ceil(500 / 7) }, (_, i) => BigInt(i * 7));
  it.each(amountsUpTo500)('never creates or loses a minor unit splitting %s', (amount) => {
    const parts = splitDeposit(amount, [pct(1, 50), fixed(2, 99n), pct(3, 49)]);
    const total = parts.reduce((s, p) => s + p.minor, 0n);
    expect(total <= amount).toBe(true);
    expect(parts.every((p) => p.minor > 0n)).toBe(true);
  });

  it('takes percents first, then fixed amounts in order, capped by what is left', () => {
    expect(splitDeposit(1000n, [fixed(1, 300n), pct(2, 50), fixed(3, 400n)])).toEqual([
      { jarId: jar(2), minor: 500n },
      { jarId: jar(1), minor: 300n },
      { jarId: jar(3), minor: 200n },
    ]);
  });

  it.each([
    { name: 'nothing without rules', amount: 500n, rules: [] },
    { name: 'no zero parts of a tiny deposit', amount: 1n, rules: [pct(1, 10), pct(2, 90)] },
  ])('splits $name', ({ amount, rules }) => {
    expect(splitDeposit(amount, rules)).toEqual([]);
  });
});

describe('deciding a wallet’s allocation rules', () => {
  const state = { walletCurrency: 'USD', jars };
  const usd = (minor: bigint): Money => ({ minor, currency: 'USD' });
  const percentOf = (n: number, percent: number): AllocationRuleRequest => ({
    jarId: jar(n),
    share: { percent },
  });

  /** Given the wallet's currency and jars, when a new rule set is asked for. */
  const given = deciderSpecification(
    (walletState: typeof state, requests: readonly AllocationRuleRequest[]) =>
      decideAllocationRules(requests, walletState),
  );

  it('accepts percents and fixed amounts in the wallet’s currency', () => {
    given(state)
      .when([percentOf(1, 60), { jarId: jar(2), share: { fixed: usd(2500n) } }])
      .then([pct(1, 60), fixed(2, 2500n)]);
  });

  it('refuses percents adding up to more than 100', () => {
    given(state)
      .when([percentOf(1, 60), percentOf(2, 41)])
      .thenThrows('BAD_USER_INPUT', 'rules');
  });

  it('refuses more rules than MAX_ALLOCATION_RULES', () => {
    const many = Array.from({ length: MAX_ALLOCATION_RULES + 1 }, () => percentOf(1, 1));
    given(state).when(many).thenThrows('BAD_USER_INPUT', 'rules');
  });

  it.each([
    {
      name: 'a jar outside the wallet',
      rules: [percentOf(9, 5)],
      code: 'NOT_FOUND',
      field: 'rules[0].jarId',
    },
    {
      name: 'a rule naming no jar',
      rules: [{ jarId: null, share: { percent: 5 } }],
      code: 'NOT_FOUND',
      field: 'rules[0].jarId',
    },
    {
      name: 'a jar named twice',
      rules: [percentOf(1, 5), percentOf(1, 5)],
      code: 'BAD_USER_INPUT',
      field: 'rules[1].jarId',
    },
  ])('refuses $name with $code on $field', ({ rules, code, field }) => {
    given(state).when(rules).thenThrows(code, field);
  });

  describe('a share refused while parsing', () => {
    const refused = badInput('rules[0].percent', 'must be a whole percent from 1 to 100');

    it('waits behind the rule’s jar check: an unknown jar is still NOT_FOUND', () => {
      given(state)
        .when([{ jarId: jar(9), share: refused }])
        .thenThrows('NOT_FOUND', 'rules[0].jarId');
    });

    it.each([
      { name: 'for a known jar', rules: [{ jarId: jar(1), share: refused }] },
      {
        name: 'before a later rule’s unknown jar',
        rules: [{ jarId: jar(1), share: refused }, percentOf(9, 5)],
      },
    ])('is thrown as it was refused $name', ({ rules }) => {
      expect(domainErrorOf(() => decideAllocationRules(rules, state))).toBe(refused);
    });
  });

  it('refuses a fixed amount in another currency', () => {
    given(state)
      .when([{ jarId: jar(1), share: { fixed: { minor: 100n, currency: 'EUR' } } }])
      .thenThrows('CURRENCY_MISMATCH', 'rules[0].fixed.currency');
  });
});
