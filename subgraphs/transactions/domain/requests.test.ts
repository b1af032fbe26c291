import { maxMinorUnits } from '@walletgraph/platform/money';
import { refusalOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  DEFAULT_WAIT_MS,
  parseDeposit,
  parseJarMove,
  parseMoveBetweenJars,
  parseTransfer,
  parseWaitMs,
  parseWithdrawal,
  requestHash,
} from './requests.ts';

const wallet = '0196f0a0-0000-7000-8000-000000000001';
const other = '0196f0a0-0000-7000-8000-000000000002';
const deposit = (overrides: Record<string, unknown> = {}) => ({
  walletId: wallet,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});
const transfer = (overrides: Record<string, unknown> = {}) => ({
  fromWalletId: wallet,
  toWalletId: other,
  amount: { amount: '5', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

const jar = '0196f0a0-0000-7000-8000-00000000001a';
const otherJar = '0196f0a0-0000-7000-8000-00000000001b';
const jarMove = (overrides: Record<string, unknown> = {}) => ({
  jarId: jar,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});
const betweenJars = (overrides: Record<string, unknown> = {}) => ({
  fromJarId: jar,
  toJarId: otherJar,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

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
    expect(refusalOf(() => parseDeposit(deposit({ note })))).toMatchObject({
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

  it('keeps a recipient id that is no UUID: it names no wallet, which is a settlement, not a refusal', () => {
    expect(parseTransfer(transfer({ toWalletId: 'nobody' }))).toMatchObject({
      to: { by: 'walletId', walletId: 'nobody' },
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
});

describe('request hash', () => {
  it('is the same for the same request however its amount and ids are written', () => {
    const a = requestHash(parseDeposit(deposit({ amount: { amount: '10', currency: 'EUR' } })));
    const b = requestHash(
      parseDeposit(deposit({ walletId: wallet.toUpperCase(), amount: { amount: '10.00', currency: 'EUR' } })),
    );
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it('leaves out the idempotency key itself', () => {
    expect(requestHash(parseDeposit(deposit({ idempotencyKey: 'a' })))).toBe(
      requestHash(parseDeposit(deposit({ idempotencyKey: 'b' }))),
    );
  });

  it('differs when anything the operation would do differs: kind, wallet, amount, currency, note, recipient', () => {
    const base = requestHash(parseDeposit(deposit()));
    const variants = [
      requestHash(parseWithdrawal(deposit())),
      requestHash(parseDeposit(deposit({ walletId: other }))),
      requestHash(parseDeposit(deposit({ amount: { amount: '12.51', currency: 'EUR' } }))),
      requestHash(parseDeposit(deposit({ amount: { amount: '12.50', currency: 'USD' } }))),
      requestHash(parseDeposit(deposit({ note: 'rent' }))),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
    const byId = requestHash(parseTransfer(transfer()));
    const byEmail = requestHash(parseTransfer(transfer({ toWalletId: null, toEmail: 'ada@example.com' })));
    const byOtherEmail = requestHash(
      parseTransfer(transfer({ toWalletId: null, toEmail: 'bob@example.com' })),
    );
    expect(new Set([byId, byEmail, byOtherEmail]).size).toBe(3);
  });

  it('differs for another jar, another target jar, or another kind of jar move', () => {
    const hashes = [
      requestHash(parseJarMove('JAR_ALLOCATION', jarMove())),
      requestHash(parseJarMove('JAR_ALLOCATION', jarMove({ jarId: otherJar }))),
      requestHash(parseJarMove('JAR_RELEASE', jarMove())),
      requestHash(parseJarMove('JAR_SPEND', jarMove())),
      requestHash(parseMoveBetweenJars(betweenJars())),
      requestHash(parseMoveBetweenJars(betweenJars({ toJarId: wallet }))),
      requestHash(parseMoveBetweenJars(betweenJars({ fromJarId: otherJar, toJarId: jar }))),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(requestHash(parseJarMove('JAR_SPEND', jarMove({ jarId: jar.toUpperCase() })))).toBe(hashes[3]);
  });

  it('serialises objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"e":null,"f":1}]},"b":1}',
    );
  });
});
