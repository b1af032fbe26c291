import { describe, expect, it } from 'vitest';
import {
  accountId,
  isExternal,
  jarIdOf,
  mayGoNegative,
  parseAccountName,
  walletBalances,
} from './accounts.ts';

describe('ledger accounts', () => {
  const id = '0190f5d2-7c1e-7000-8000-000000000001';

  it('names accounts by what they hold', () => {
    expect(accountId.walletAvailable('w1')).toBe('wallet:w1:available');
    expect(accountId.jar('j1')).toBe('jar:j1');
    expect(accountId.external('deposits', 'USD')).toBe('external:deposits:USD');
  });

  it('reads the jar id back from a jar account', () => {
    expect(jarIdOf(accountId.jar('j1'))).toBe('j1');
    expect(() => jarIdOf(accountId.walletAvailable('w1'))).toThrow(/not a jar account/);
  });

  it('reads what an account name says', () => {
    expect(parseAccountName(accountId.walletAvailable(id))).toEqual({
      kind: 'WALLET_AVAILABLE',
      walletId: id,
    });
    expect(parseAccountName(accountId.jar(id))).toEqual({ kind: 'JAR', jarId: id });
    expect(parseAccountName(accountId.hold(id))).toEqual({ kind: 'HOLD', operationId: id });
    expect(parseAccountName('external:biller:KWD')).toEqual({
      kind: 'EXTERNAL',
      purpose: 'biller',
      currency: 'KWD',
    });
    expect(isExternal('external:deposits:EUR')).toBe(true);
    expect(isExternal(accountId.hold(id))).toBe(false);
  });

  it.each(['wallet:x:available', 'external:casino:EUR', 'external:deposits:eur', `jar:${id}:x`, ''])(
    'reads nothing from %j, a name it does not know',
    (bad) => {
      expect(parseAccountName(bad)).toBeNull();
    },
  );

  it('lets only external accounts go negative', () => {
    expect(mayGoNegative('EXTERNAL')).toBe(true);
    expect(mayGoNegative('WALLET_AVAILABLE')).toBe(false);
    expect(mayGoNegative('JAR')).toBe(false);
    expect(mayGoNegative('HOLD')).toBe(false);
  });

  it('totals a wallet as available plus the sum of its jars', () => {
    expect(
      walletBalances([
        { kind: 'WALLET_AVAILABLE', balance: 1000n },
        { kind: 'JAR', balance: 250n },
        { kind: 'JAR', balance: 50n },
      ]),
    ).toEqual({ available: 1000n, allocated: 300n, total: 1300n });
    expect(walletBalances([])).toEqual({ available: 0n, allocated: 0n, total: 0n });
  });
});
