import { describe, expect, it } from 'vitest';
import { isAccountName, isExternalAccount, jarOfAccount, ledgerAccount, parseAccount } from './accounts.ts';

const id = '0190f5d2-7c1e-7000-8000-000000000001';

describe('ledger account names', () => {
  it('reads back what every builder names', () => {
    expect(parseAccount(ledgerAccount.walletAvailable(id))).toEqual({ kind: 'wallet', walletId: id });
    expect(parseAccount(ledgerAccount.jar(id))).toEqual({ kind: 'jar', jarId: id });
    expect(parseAccount(ledgerAccount.hold(id))).toEqual({ kind: 'hold', operationId: id });
    expect(parseAccount(ledgerAccount.external('biller', 'KWD'))).toEqual({
      kind: 'external',
      purpose: 'biller',
      currency: 'KWD',
    });
  });

  it('reads nothing from a name it does not know', () => {
    for (const bad of [
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
    ]) {
      expect(parseAccount(bad)).toBeNull();
      expect(isAccountName(bad)).toBe(false);
    }
  });

  it('tells external accounts from the others', () => {
    expect(isExternalAccount('external:deposits:EUR')).toBe(true);
    expect(isExternalAccount(ledgerAccount.hold(id))).toBe(false);
    expect(isExternalAccount('external:casino:EUR')).toBe(false);
  });

  it('finds the jar of a jar account, and none in any other', () => {
    expect(jarOfAccount(ledgerAccount.jar(id))).toBe(id);
    expect(jarOfAccount(ledgerAccount.walletAvailable(id))).toBeNull();
    expect(jarOfAccount(ledgerAccount.hold(id))).toBeNull();
  });
});
