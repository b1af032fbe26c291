import { describe, expect, it } from 'vitest';
import { DEFAULT_WALLET_PAGE, parseOpenWallet, walletPageSize } from './inputs.ts';

describe('parsing wallet inputs', () => {
  it('reads an openWallet input: the name trimmed, the currency a known one', () => {
    expect(parseOpenWallet({ name: ' Savings ', currency: 'EUR' })).toEqual({
      name: 'Savings',
      currency: 'EUR',
    });
    for (const [input, field] of [
      [{ name: '  ', currency: 'EUR' }, 'input.name'],
      [{ name: 'Savings', currency: 'XXX' }, 'input.currency'],
    ] as const) {
      expect(() => parseOpenWallet(input)).toThrow(
        expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field } }),
      );
    }
  });

  it('pages wallets 50 at a time unless asked, at most 100', () => {
    expect(walletPageSize(undefined)).toBe(DEFAULT_WALLET_PAGE);
    expect(walletPageSize(null)).toBe(50);
    expect(walletPageSize(1)).toBe(1);
    expect(walletPageSize(100)).toBe(100);
  });

  it.each([0, -1, 101, 2.5])('refuses first = %s as BAD_USER_INPUT on first', (first) => {
    expect(() => walletPageSize(first)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'first' } }),
    );
  });
});
