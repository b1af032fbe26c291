import type { Money } from '@walletgraph/platform/money';
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
    const jar = decideNewJar(savingsRequest(usd(120050n)), { wallet, jarsInWallet: 1, viewerId: 'u1' }, deps);
    expect(jar).toMatchObject({
      name: 'Holiday',
      kind: 'SAVINGS',
      goalTargetMinor: 120050n,
      goalDeadline: null,
      isDefault: false,
    });
  });

  it('creates an expense jar with its budget, blocking overspending only when asked', () => {
    const state = { wallet, jarsInWallet: 1, viewerId: 'u1' };
    expect(decideNewJar(expenseRequest(false), state, deps)).toMatchObject({
      budgetLimitMinor: 40000n,
      budgetPeriod: 'MONTHLY',
      budgetThresholds: [80, 100],
      rollsOver: false,
      blocksOverspend: false,
    });
    expect(decideNewJar(expenseRequest(true), state, deps).blocksOverspend).toBe(true);
  });

  it('answers NOT_FOUND for another user’s wallet exactly as for an unknown one', () => {
    const request = savingsRequest(usd(500n));
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
    const error = domainErrorOf(() =>
      decideNewJar(
        savingsRequest({ minor: 500n, currency: 'EUR' }),
        { wallet, jarsInWallet: 0, viewerId: 'u1' },
        deps,
      ),
    );
    expect([error.code, error.details.field]).toEqual(['CURRENCY_MISMATCH', 'input.goalTarget.currency']);
  });

  it('lets the owner archive a jar but never the wallet’s Income jar; another user’s jar is NOT_FOUND', () => {
    const income = { ...defaultJarFor(wallet, deps), createdAt: now };
    expect(domainErrorOf(() => checkArchivable(income, 'u1')).code).toBe('BAD_USER_INPUT');
    const savings = { ...income, id: 'j2', isDefault: false, kind: 'SAVINGS' as const };
    expect(checkArchivable(savings, 'u1')).toBe(savings);
    expect(domainErrorOf(() => checkArchivable(savings, 'u2')).code).toBe('NOT_FOUND');
  });
});
