import { describe, expect, it } from 'vitest';
import type { JarRow } from '../db/schema.ts';
import { defaultJarFor } from './jar.ts';
import { jarCreatedData } from './jar-created.ts';

const now = new Date('2026-11-22T10:00:00Z');
const wallet = {
  walletId: '0196f0a0-0000-7000-8000-000000000001',
  ownerId: '0196f0a0-0000-7000-8000-00000000a11c',
  currency: 'USD',
};
const income: JarRow = defaultJarFor(wallet, { newId: () => '0196f0a0-0000-7000-8000-00000000001a', now });

describe('jars.jar_created.v1 payload', () => {
  it('announces an expense jar with its budget: limit in minor units, period, whether it blocks overspending', () => {
    const groceries: JarRow = {
      ...income,
      name: 'Groceries',
      kind: 'EXPENSE',
      isDefault: false,
      budgetLimitMinor: 40_000n,
      budgetPeriod: 'WEEKLY',
      budgetThresholds: [80, 100],
      blocksOverspend: true,
    };
    expect(jarCreatedData(groceries)).toEqual({
      jarId: groceries.id,
      walletId: wallet.walletId,
      ownerId: wallet.ownerId,
      name: 'Groceries',
      kind: 'EXPENSE',
      currency: 'USD',
      budget: { limit: '40000', period: 'WEEKLY', blocksOverspend: true },
    });
  });

  const savings: JarRow = { ...income, kind: 'SAVINGS', isDefault: false, goalTargetMinor: 500n };
  it.each([
    { name: 'the Income jar', jar: income, kind: 'INCOME' },
    { name: 'a savings jar', jar: savings, kind: 'SAVINGS' },
  ])('announces $name with budget null', ({ jar, kind }) => {
    expect(jarCreatedData(jar)).toMatchObject({ kind, budget: null });
  });
});
