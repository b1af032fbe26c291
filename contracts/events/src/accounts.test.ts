import { describe, expect, it } from 'vitest';
import {
  isAccountName,
  isExternalAccount,
  isHoldAccount,
  jarOfAccount,
  ledgerAccount,
  parseAccount,
} from './accounts.ts';

const id = '0190f5d2-7c1e-7000-8000-000000000001';

describe('ledger account names', () => {
  it.each([
    {
      builder: 'walletAvailable',
      name: ledgerAccount.walletAvailable(id),
      account: { kind: 'wallet', walletId: id },
    },
    { builder: 'jar', name: ledgerAccount.jar(id), account: { kind: 'jar', jarId: id } },
    { builder: 'hold', name: ledgerAccount.hold(id), account: { kind: 'hold', operationId: id } },
    {
      builder: 'external',
      name: ledgerAccount.external('biller', 'KWD'),
      account: { kind: 'external', purpose: 'biller', currency: 'KWD' },
    },
  ])('reads back what $builder names', ({ name, account }) => {
    expect(parseAccount(name)).toEqual(account);
  });

  it.each([
    '',
    'someone-else:1',
    'wallet:x:available',
    `wallet:${id}`,
    `wallet:${id}:available:x`,
    `jar:${id}:x`,
    `jar:${id.toUpperCase()}`,
    // 36 characters of a UUID's alphabet are not a UUID.
    `hold:${id.replaceAll('-', '')}----`,
    'external:casino:EUR',
    'external:deposits:eur',
    'external:deposits:EURO',
  ])('reads nothing from %j, a name it does not know', (bad) => {
    expect(parseAccount(bad)).toBeNull();
    expect(isAccountName(bad)).toBe(false);
  });

  it.each([
    ['external:deposits:EUR', true],
    [ledgerAccount.hold(id), false],
    ['external:casino:EUR', false],
  ])('tells external accounts from the others: %j is external: %s', (name, external) => {
    expect(isExternalAccount(name)).toBe(external);
  });

  it.each([
    [ledgerAccount.hold(id), true],
    [ledgerAccount.jar(id), false],
    ['external:biller:EUR', false],
    [`hold:${id.toUpperCase()}`, false],
  ])('tells hold accounts from the others: %j is a hold: %s', (name, hold) => {
    expect(isHoldAccount(name)).toBe(hold);
  });

  it.each([
    { builder: 'jar', name: ledgerAccount.jar(id), jarId: id },
    { builder: 'walletAvailable', name: ledgerAccount.walletAvailable(id), jarId: null },
    { builder: 'hold', name: ledgerAccount.hold(id), jarId: null },
  ])('finds the jar of a jar account, and none in any other: $builder → $jarId', ({ name, jarId }) => {
    expect(jarOfAccount(name)).toBe(jarId);
  });
});
