import { badInput } from './errors.ts';

/**
 * ISO 4217 currencies walletgraph accepts, with their exponent (minor-unit digits).
 * Amounts are integer minor units (`bigint`) everywhere money flows (docs/architecture.md §3).
 */
export const currencyExponents = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, number>;

export type Currency = keyof typeof currencyExponents;

export function isCurrency(code: string): code is Currency {
  return Object.hasOwn(currencyExponents, code);
}

/** An amount of money: integer minor units and a currency. */
export interface Money {
  readonly minor: bigint;
  readonly currency: Currency;
}

/** The GraphQL `Money` shape: a decimal string, the currency and the minor units as a string. */
export interface MoneyView {
  amount: string;
  currency: string;
  minorUnits: string;
}

/** Validates a currency code, naming the field on failure. */
export function parseCurrency(code: string, field: string): Currency {
  if (!isCurrency(code)) throw badInput(field, `unsupported currency "${code}" (ISO 4217 code expected)`);
  return code;
}

/**
 * The largest amount an input may name: a trillion (10^12) of the currency's major units, so
 * 10^14 minor units of EUR, 10^12 of JPY, 10^15 of KWD. Far above any payment a wallet makes,
 * and low enough that no sum the ledger forms leaves Postgres' bigint (9.2 × 10^18).
 */
export const MAX_AMOUNT_MAJOR_UNITS = 10n ** 12n;

/** `MAX_AMOUNT_MAJOR_UNITS` of `currency`, in its minor units. */
export function maxMinorUnits(currency: Currency): bigint {
  return MAX_AMOUNT_MAJOR_UNITS * 10n ** BigInt(currencyExponents[currency]);
}

/**
 * Parses a decimal string ("12.50") into minor units, rejecting more decimals than the currency
 * has, exponents, signs other than a leading minus, anything that is not plain digits, and a
 * magnitude beyond `maxMinorUnits`.
 */
export function parseAmount(amount: string, currency: Currency, field: string): bigint {
  const exponent = currencyExponents[currency];
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw badInput(field, `"${amount}" is not a decimal amount`);
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > exponent) {
    throw badInput(field, `${currency} takes at most ${exponent} decimal places`);
  }
  const minor = BigInt(whole! + fraction.padEnd(exponent, '0'));
  const max = maxMinorUnits(currency);
  if (minor > max) throw badInput(field, `must be at most ${formatAmount(max, currency)} ${currency}`);
  return sign === '-' ? -minor : minor;
}

/** Parses a GraphQL `MoneyInput`, naming `<field>.amount` / `<field>.currency` on failure. */
export function parseMoneyInput(input: { amount: string; currency: string }, field: string): Money {
  const currency = parseCurrency(input.currency, `${field}.currency`);
  return { minor: parseAmount(input.amount, currency, `${field}.amount`), currency };
}

/** Formats minor units as a decimal string with exactly the currency's exponent of decimals. */
export function formatAmount(minor: bigint, currency: Currency): string {
  const exponent = currencyExponents[currency];
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** The GraphQL view of an amount. */
export function moneyView(minor: bigint, currency: string): MoneyView {
  const code = parseCurrency(currency, 'currency');
  return { amount: formatAmount(minor, code), currency: code, minorUnits: minor.toString() };
}
