import { describe, expect, it } from 'vitest';
import { DEFAULT_WALLET_PAGE, parseOpenWallet, walletPageSize } from './inputs.ts';

describe('parsing wallet inputs', () => {
  it('reads an openWallet input: the name trimmed', () => {
    expect(parseOpenWallet({ name: ' Savings ', currency: 'EUR' })).toEqual({
      name: 'Savings',
      currency: 'EUR',
    });
  });

  it.each([
    { name: 'a blank name', input: { name: '  ', currency: 'EUR' }, field: 'input.name' },
    {
      name: 'a currency it does not know',
      input: { name: 'Savings', currency: 'XXX' },
      field: 'input.currency',
    },
  ])('refuses an openWallet input with $name, naming $field', ({ input, field }) => {
    expect(() => parseOpenWallet(input)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field } }),
    );
  });

  it.each([
    [undefined, DEFAULT_WALLET_PAGE],
    [null, 50],
    [1, 1],
    [100, 100],
  ])('pages wallets 50 at a time unless asked, at most 100: first = %s takes %s', (first, size) => {
    expect(walletPageSize(first)).toBe(size);
  });

  it.each([0, -1, 101, 2.5])('refuses first = %s as BAD_USER_INPUT on first', (first) => {
    expect(() => walletPageSize(first)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'first' } }),
    );
  });
});
