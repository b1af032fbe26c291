import { describe, expect, it } from 'vitest';
import { DomainError } from './errors.ts';
import { formatAmount, maxMinorUnits, moneyView, parseAmount, parseMoneyInput } from './money.ts';

describe('money', () => {
  it('parses amounts into minor units by the currency exponent', () => {
    expect(parseAmount('12.50', 'USD', 'amount')).toBe(1250n);
    expect(parseAmount('12', 'USD', 'amount')).toBe(1200n);
    expect(parseAmount('1500', 'JPY', 'amount')).toBe(1500n);
    expect(parseAmount('1.234', 'KWD', 'amount')).toBe(1234n);
    expect(parseAmount('-0.05', 'EUR', 'amount')).toBe(-5n);
  });

  it('keeps amounts beyond 2^53 exact', () => {
    expect(parseAmount('999999999999.99', 'KWD', 'amount')).toBe(999999999999990n);
    expect(parseAmount('-1000000000000', 'USD', 'amount')).toBe(-100000000000000n);
    expect(formatAmount(12345678901234567899n, 'USD')).toBe('123456789012345678.99');
  });

  it('takes at most a trillion of the currency', () => {
    expect(maxMinorUnits('EUR')).toBe(10n ** 14n);
    expect(maxMinorUnits('JPY')).toBe(10n ** 12n);
    expect(parseAmount('1000000000000.00', 'EUR', 'amount')).toBe(10n ** 14n);
  });

  it.each([
    ['1000000000000.01', 'EUR'],
    ['-1000000000001', 'JPY'],
    ['10000000000000000000000', 'USD'],
  ] as const)('refuses %s %s, past a trillion, naming the field', (amount, currency) => {
    const attempt = () => parseAmount(amount, currency, 'input.fixed.amount');
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/input\.fixed\.amount: must be at most 1000000000000\.?0* /);
  });

  it('rejects more decimals than the currency has, naming the field', () => {
    const attempt = () => parseAmount('1.5', 'JPY', 'input.amount.amount');
    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(/input\.amount\.amount: JPY takes at most 0 decimal places/);
    expect(() => parseAmount('1.2345', 'KWD', 'x')).toThrow(/at most 3/);
  });

  it.each(['1e3', '', '.5', '1.', '+1', '1,5', 'NaN', '0x10'])('rejects %j, not a plain decimal', (bad) => {
    expect(() => parseAmount(bad, 'USD', 'amount')).toThrow(DomainError);
  });

  it('formats with exactly the exponent of decimals', () => {
    expect(formatAmount(5n, 'USD')).toBe('0.05');
    expect(formatAmount(-5n, 'USD')).toBe('-0.05');
    expect(formatAmount(0n, 'KWD')).toBe('0.000');
    expect(formatAmount(42n, 'JPY')).toBe('42');
    expect(moneyView(1250n, 'USD')).toEqual({ amount: '12.50', currency: 'USD', minorUnits: '1250' });
  });

  it('rejects an unknown currency in a money input', () => {
    expect(() => parseMoneyInput({ amount: '1', currency: 'XXX' }, 'input.amount')).toThrow(
      /input\.amount\.currency/,
    );
  });
});
