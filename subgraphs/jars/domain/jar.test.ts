import type { Money } from '@walletgraph/platform/money';
import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { domainErrorOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import {
  type CreateJarRequest,
  checkArchivable,
  DEFAULT_JAR_NAME,
  decideNewJar,
  defaultJarFor,
} from './jar.ts';

const now = new Date('2026-11-22T10:00:00Z');
const wallet = { walletId: '0196f0a0-0000-7000-8000-000000000001', ownerId: 'u1', currency: 'USD' };
const deps = { newId: () => 'j1', now };
const usd = (minor: bigint): Money => ({ minor, currency: 'USD' });
type NewJarState = Parameters<typeof decideNewJar>[1];
const newJar = (state: NewJarState, request: CreateJarRequest) => decideNewJar(request, state, deps);
/** Given the wallet the request names (if any) and who asks, when a jar is requested in it. */
const given = deciderSpecification(newJar);
const owner: NewJarState = { wallet, jarsInWallet: 1, viewerId: 'u1' };

/** A request as inputs.ts parses it from a createJar input. */
function savingsRequest(amount: Money): CreateJarRequest {
  return {
    walletId: wallet.walletId as CreateJarRequest['walletId'],
    name: 'Holiday',
    kind: 'SAVINGS',
    goal: { target: amount, deadline: null },
    budget: null,
  };
}

function expenseRequest(blocksOverspend: boolean): CreateJarRequest {
  return {
    walletId: wallet.walletId as CreateJarRequest['walletId'],
    name: 'Groceries',
    kind: 'EXPENSE',
    goal: null,
    budget: {
      limit: usd(40000n),
      period: 'MONTHLY',
      thresholds: [80, 100],
      rollsOver: false,
      blocksOverspend,
    },
  };
}

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
    given(owner)
      .when(savingsRequest(usd(120050n)))
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

  it.each([false, true])(
    'creates an expense jar with its budget, blocksOverspend %s as asked',
    (blocksOverspend) => {
      given(owner)
        .when(expenseRequest(blocksOverspend))
        .then(
          expect.objectContaining({
            budgetLimitMinor: 40000n,
            budgetPeriod: 'MONTHLY',
            budgetThresholds: [80, 100],
            rollsOver: false,
            blocksOverspend,
          }),
        );
    },
  );

  it.each([
    ['another user’s wallet', { wallet, jarsInWallet: 0, viewerId: 'u2' }],
    ['an unknown wallet', { wallet: null, jarsInWallet: 0, viewerId: 'u2' }],
  ])('answers NOT_FOUND for %s, in the same words', (_, state) => {
    const error = domainErrorOf(() => newJar(state, savingsRequest(usd(500n))));
    expect([error.code, error.message]).toEqual(['NOT_FOUND', 'input.walletId: wallet not found']);
  });

  it('refuses a goal in another currency than the wallet’s', () => {
    given({ ...owner, jarsInWallet: 0 })
      .when(savingsRequest({ minor: 500n, currency: 'EUR' }))
      .thenThrows('CURRENCY_MISMATCH', 'input.goalTarget.currency');
  });
});

describe('archiving a jar', () => {
  const income = { ...defaultJarFor(wallet, deps), createdAt: now };
  const savings = { ...income, id: 'j2', isDefault: false, kind: 'SAVINGS' as const };

  it('lets the owner archive a jar', () => {
    expect(checkArchivable(savings, 'u1')).toBe(savings);
  });

  it.each([
    { name: 'the owner their Income jar', jar: income, viewerId: 'u1', code: 'BAD_USER_INPUT' },
    { name: 'another user the owner’s jar', jar: savings, viewerId: 'u2', code: 'NOT_FOUND' },
  ])('refuses $name with $code', ({ jar, viewerId, code }) => {
    expect(domainErrorOf(() => checkArchivable(jar, viewerId)).code).toBe(code);
  });
});
