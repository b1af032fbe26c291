import { maxMinorUnits } from '@walletgraph/platform/money';
import { refusalOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WAIT_MS,
  parseDeposit,
  parseJarMove,
  parseMoveBetweenJars,
  parsePageRequest,
  parsePayBill,
  parseTransfer,
  parseWaitMs,
  parseWithdrawal,
} from './inputs.ts';
import { betweenJars, deposit, jar, jarMove, other, otherJar, transfer, wallet } from './test/fixtures.ts';

describe('money request validation', () => {
  it('parses a deposit into minor units in the currency, with a trimmed note', () => {
    expect(parseDeposit(deposit({ note: '  salary  ' }))).toEqual({
      kind: 'DEPOSIT',
      walletId: wallet,
      amount: { minor: 1250n, currency: 'EUR' },
      idempotencyKey: 'k1',
      note: 'salary',
    });
    expect(parseWithdrawal(deposit({ note: '   ' }))).toMatchObject({ kind: 'WITHDRAWAL', note: null });
  });

  it('respects each currency’s exponent: JPY 0, USD 2, KWD 3', () => {
    const amount = (a: string, currency: string) =>
      parseDeposit(deposit({ amount: { amount: a, currency } })).amount.minor;
    expect(amount('1500', 'JPY')).toBe(1500n);
    expect(amount('12.5', 'USD')).toBe(1250n);
    expect(amount('1.234', 'KWD')).toBe(1234n);
    expect(refusalOf(() => amount('1.5', 'JPY'))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.amount.amount',
    });
    expect(refusalOf(() => amount('1.001', 'USD')).field).toBe('input.amount.amount');
    expect(refusalOf(() => amount('1.0001', 'KWD')).field).toBe('input.amount.amount');
  });

  it.each(['0', '0.00', '-1.00'])('refuses the amount %s EUR, not positive, naming the field', (a) => {
    expect(refusalOf(() => parseDeposit(deposit({ amount: { amount: a, currency: 'EUR' } })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.amount.amount',
    });
  });

  it('refuses absurdly large amounts, and unknown currencies, naming the field', () => {
    const tooMuch = (maxMinorUnits('JPY') + 1n).toString();
    expect(
      refusalOf(() => parseDeposit(deposit({ amount: { amount: tooMuch, currency: 'JPY' } }))).field,
    ).toBe('input.amount.amount');
    expect(refusalOf(() => parseDeposit(deposit({ amount: { amount: '1', currency: 'XXX' } })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.amount.currency',
    });
  });

  it('bounds the idempotency key (1 to 100 characters) and the note (280)', () => {
    expect(refusalOf(() => parseDeposit(deposit({ idempotencyKey: '' }))).field).toBe('input.idempotencyKey');
    expect(refusalOf(() => parseDeposit(deposit({ idempotencyKey: 'k'.repeat(101) }))).field).toBe(
      'input.idempotencyKey',
    );
    expect(parseDeposit(deposit({ idempotencyKey: '🔑'.repeat(100) })).idempotencyKey).toHaveLength(200);
    expect(refusalOf(() => parseDeposit(deposit({ note: 'n'.repeat(281) }))).field).toBe('input.note');
    expect(parseDeposit(deposit({ note: 'é'.repeat(280) })).note).toHaveLength(280);
  });

  it('shows the recipient a note as a name is shown: normalised, none when blank', () => {
    expect(parseDeposit(deposit({ note: ' ｒｅｎｔ ' })).note).toBe('rent');
    expect(parseDeposit(deposit({ note: '   ' })).note).toBeNull();
  });

  it.each([
    ['a right-to-left override', 'rent\u202Etneserp'],
    ['a zero-width space', 'ren\u200Bt'],
    ['a line separator', 'rent\u2028more'],
  ])('refuses a note with %s, a character the recipient would not see', (_, note) => {
    expect(refusalOf(() => parseDeposit(deposit({ note })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.note',
    });
  });

  it('takes a transfer’s recipient by wallet id or by email, exactly one of them', () => {
    expect(parseTransfer(transfer({ toWalletId: other.toUpperCase() }))).toMatchObject({
      kind: 'TRANSFER',
      walletId: wallet,
      to: { by: 'walletId', walletId: other },
    });
    expect(parseTransfer(transfer({ toWalletId: null, toEmail: ' Ada@Example.COM ' }))).toMatchObject({
      to: { by: 'email', email: 'ada@example.com' },
    });
    expect(refusalOf(() => parseTransfer(transfer({ toEmail: 'ada@example.com' })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    });
    expect(refusalOf(() => parseTransfer(transfer({ toWalletId: null }))).field).toBe('input.toWalletId');
    expect(
      refusalOf(() => parseTransfer(transfer({ toWalletId: null, toEmail: 'not-an-email' }))).field,
    ).toBe('input.toEmail');
  });

  it('refuses a transfer to the same wallet, whatever the letter case of its id', () => {
    expect(refusalOf(() => parseTransfer(transfer({ toWalletId: wallet.toUpperCase() })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    });
  });

  it('refuses one id that is no UUID as both source and recipient, as a repeated UUID is', () => {
    expect(refusalOf(() => parseTransfer(transfer({ fromWalletId: 'mine', toWalletId: 'mine' })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    });
    expect(parseTransfer(transfer({ fromWalletId: 'mine', toWalletId: 'MINE' }))).toMatchObject({
      walletId: null,
      to: { by: 'walletId', walletId: null },
    });
  });

  it('takes a recipient id that is no UUID as naming no wallet, which is a settlement, not a refusal', () => {
    expect(parseTransfer(transfer({ toWalletId: 'nobody' }))).toMatchObject({
      to: { by: 'walletId', walletId: null },
    });
  });

  it('waits 2 s by default, 0 to 10 s when asked', () => {
    expect(parseWaitMs(undefined)).toBe(DEFAULT_WAIT_MS);
    expect(parseWaitMs(null)).toBe(2000);
    expect(parseWaitMs(0)).toBe(0);
    expect(parseWaitMs(10_000)).toBe(10_000);
  });

  it.each([-1, 10_001, 1.5])('refuses waitMs = %s, naming the field', (bad) => {
    expect(refusalOf(() => parseWaitMs(bad))).toEqual({ code: 'BAD_USER_INPUT', field: 'waitMs' });
  });
});

describe('jar move request validation', () => {
  it.each(['JAR_ALLOCATION', 'JAR_RELEASE', 'JAR_SPEND'] as const)(
    'parses a %s into its kind, the jar and minor units',
    (kind) => {
      expect(parseJarMove(kind, jarMove({ jarId: jar.toUpperCase() }))).toEqual({
        kind,
        jarId: jar,
        amount: { minor: 1250n, currency: 'EUR' },
        idempotencyKey: 'k1',
      });
    },
  );

  it('parses a move between jars: from is the operation’s jar, to its target', () => {
    expect(parseMoveBetweenJars(betweenJars())).toEqual({
      kind: 'JAR_MOVE',
      jarId: jar,
      toJarId: otherJar,
      amount: { minor: 1250n, currency: 'EUR' },
      idempotencyKey: 'k1',
    });
  });

  it('refuses what any money request refuses, naming the field', () => {
    const refused = (overrides: Record<string, unknown>) => [
      refusalOf(() => parseJarMove('JAR_ALLOCATION', jarMove(overrides))),
      refusalOf(() => parseMoveBetweenJars(betweenJars(overrides))),
    ];
    const amount = (a: string, currency = 'EUR') => ({ amount: { amount: a, currency } });
    const bad = (field: string) => [
      { code: 'BAD_USER_INPUT', field },
      { code: 'BAD_USER_INPUT', field },
    ];
    expect(refused(amount('0'))).toEqual(bad('input.amount.amount'));
    expect(refused(amount('-1'))).toEqual(bad('input.amount.amount'));
    expect(refused(amount('1.005'))).toEqual(bad('input.amount.amount'));
    expect(refused(amount((maxMinorUnits('JPY') + 1n).toString(), 'JPY'))).toEqual(
      bad('input.amount.amount'),
    );
    expect(refused(amount('1', 'XXX'))).toEqual(bad('input.amount.currency'));
    expect(refused({ idempotencyKey: '' })).toEqual(bad('input.idempotencyKey'));
    expect(refused({ idempotencyKey: 'k'.repeat(101) })).toEqual(bad('input.idempotencyKey'));
  });

  it('refuses a move to the same jar, whatever the letter case of its id', () => {
    expect(refusalOf(() => parseMoveBetweenJars(betweenJars({ toJarId: jar.toUpperCase() })))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.toJarId',
    });
  });

  it('refuses one jar id that is no UUID as both source and target, and takes it as naming no jar', () => {
    expect(refusalOf(() => parseMoveBetweenJars(betweenJars({ fromJarId: 'j', toJarId: 'j' }))).field).toBe(
      'input.toJarId',
    );
    expect(parseJarMove('JAR_SPEND', jarMove({ jarId: 'j' })).jarId).toBeNull();
  });
});

describe('page arguments', () => {
  const id = (n: number) => `0196f0a0-0000-7000-8000-${n.toString().padStart(12, '0')}`;

  it('takes 20 by default and 1 to 100 when asked', () => {
    expect(parsePageRequest({})).toEqual({ size: 20, after: null });
    expect(parsePageRequest({ first: 100, after: null }).size).toBe(100);
  });

  it.each([0, -1, 101])('refuses first = %s, naming `first`', (first) => {
    expect(refusalOf(() => parsePageRequest({ first }))).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  const encoded = (json: string) => Buffer.from(json).toString('base64url');
  it.each([
    ['text that is not base64 JSON', 'not-base64-json'],
    ['a one-element array', encoded('[1]')],
    ['a fractional time and no uuid', encoded('[1.5,"x"]')],
    ['a time given as a string', encoded(`["1","${id(1)}"]`)],
    ['an id that is no uuid', encoded('[1,"not-a-uuid"]')],
    // A safe integer, but no Date: past ±8.64 × 10^15 ms.
    ['a time past the last Date', encoded(`[${Number.MAX_SAFE_INTEGER},"${id(1)}"]`)],
    ['a time before the first Date', encoded(`[-8640000000000001,"${id(1)}"]`)],
  ])('refuses an `after` it did not hand out: %s', (_, after) => {
    expect(refusalOf(() => parsePageRequest({ after }))).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('bill payment request validation', () => {
  const bill = (fields: Record<string, unknown> = {}) => ({
    walletId: wallet,
    billerId: 'nordlicht-energie',
    reference: ' 45012341234 ',
    amount: { amount: '35.00', currency: 'EUR' },
    idempotencyKey: 'k1',
    ...fields,
  });

  it('parses a payment from a wallet, trimming the reference', () => {
    expect(parsePayBill(bill({ note: ' power ' }))).toEqual({
      kind: 'BILL_PAYMENT',
      source: { by: 'wallet', walletId: wallet },
      billerId: 'nordlicht-energie',
      reference: '45012341234',
      note: 'power',
      amount: { minor: 3500n, currency: 'EUR' },
      idempotencyKey: 'k1',
    });
    expect(parsePayBill(bill({ walletId: null, jarId: jar })).source).toEqual({ by: 'jar', jarId: jar });
  });

  it.each([
    ['neither wallet nor jar', { walletId: null }, 'input.walletId'],
    ['both wallet and jar', { jarId: jar }, 'input.walletId'],
    ['a blank reference', { reference: '   ' }, 'input.reference'],
    ['a reference too long', { reference: '1'.repeat(101) }, 'input.reference'],
    ['a zero amount', { amount: { amount: '0', currency: 'EUR' } }, 'input.amount.amount'],
    ['an empty key', { idempotencyKey: '' }, 'input.idempotencyKey'],
  ])('refuses %s, naming %s', (_, fields, field) => {
    expect(refusalOf(() => parsePayBill(bill(fields) as never))).toEqual({ code: 'BAD_USER_INPUT', field });
  });
});
