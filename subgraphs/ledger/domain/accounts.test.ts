import { describe, expect, it } from 'vitest';
import { accountId, jarIdOf, mayGoNegative, walletBalances } from './accounts.ts';

describe('ledger accounts', () => {
  it('names accounts by what they hold', () => {
    expect(accountId.walletAvailable('w1')).toBe('wallet:w1:available');
    expect(accountId.jar('j1')).toBe('jar:j1');
    expect(accountId.external('deposits', 'USD')).toBe('external:deposits:USD');
  });

  it('reads the jar id back from a jar account', () => {
    const id = '0190f5d2-7c1e-7000-8000-000000000001';
    expect(jarIdOf(accountId.jar(id))).toBe(id);
    expect(() => jarIdOf(accountId.walletAvailable(id))).toThrow(/not a jar account/);
  });

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
