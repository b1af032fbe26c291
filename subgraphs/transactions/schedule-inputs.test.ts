import { describe, expect, it } from 'vitest';
import { scheduleRequestHash } from './domain/schedules.ts';
import type { SchedulePaymentInput } from './generated/resolvers.ts';
import { parseSchedulePayment } from './schedule-inputs.ts';
import { jar, other, wallet } from './test/fixtures.ts';

/** A weekly transfer of 5 EUR from `wallet` to `other`; `overrides` replace any field. */
const input = (overrides: Partial<SchedulePaymentInput> = {}): SchedulePaymentInput => ({
  walletId: wallet,
  transfer: { toWalletId: other },
  amount: { amount: '5', currency: 'EUR' },
  frequency: 'WEEKLY',
  startsAt: new Date('2026-03-10T09:00:00Z'),
  idempotencyKey: 'k1',
  ...overrides,
});
const bill = { billerId: 'ACME_POWER', reference: ' 45012345678 ' };

describe('parseSchedulePayment', () => {
  it('reads a transfer by wallet id', () => {
    expect(parseSchedulePayment(input({ note: '  rent  ' }))).toEqual({
      source: { by: 'wallet', walletId: wallet },
      payee: { kind: 'TRANSFER', to: { by: 'walletId', walletId: other } },
      amount: { minor: 500n, currency: 'EUR' },
      frequency: 'WEEKLY',
      startsAt: new Date('2026-03-10T09:00:00Z'),
      endsAt: null,
      dayOfMonth: null,
      note: 'rent',
      idempotencyKey: 'k1',
    });
  });

  it.each([
    [
      'an email, normalised',
      input({ transfer: { toEmail: ' Ada@Example.com ' } }),
      { kind: 'TRANSFER', to: { by: 'email', email: 'ada@example.com' } },
    ],
    [
      'a bill, its reference trimmed',
      input({ transfer: null, bill }),
      { kind: 'BILL_PAYMENT', billerId: 'ACME_POWER', reference: '45012345678' },
    ],
  ])('reads the payee: %s', (_name, given, payee) => {
    expect(parseSchedulePayment(given).payee).toEqual(payee);
  });

  it('reads a bill from a jar', () => {
    expect(parseSchedulePayment(input({ walletId: null, jarId: jar, transfer: null, bill })).source).toEqual({
      by: 'jar',
      jarId: jar,
    });
  });

  it.each([
    ['ONCE ignores dayOfMonth', { frequency: 'ONCE', dayOfMonth: 3 }, null],
    ['WEEKLY ignores dayOfMonth', { frequency: 'WEEKLY', dayOfMonth: 3 }, null],
    ['MONTHLY keeps it', { frequency: 'MONTHLY', dayOfMonth: 31 }, 31],
    [
      'MONTHLY defaults to startsAt’s day (UTC)',
      { frequency: 'MONTHLY', startsAt: new Date('2026-03-31T23:30:00-02:00') },
      1,
    ],
  ] as const)('%s', (_name, overrides, day) => {
    expect(parseSchedulePayment(input(overrides)).dayOfMonth).toBe(day);
  });

  it.each([
    ['no source', { walletId: null }, 'input.walletId'],
    ['two sources', { jarId: jar }, 'input.walletId'],
    ['a transfer from a jar', { walletId: null, jarId: jar }, 'input.jarId'],
    ['no payee', { transfer: null }, 'input.transfer'],
    ['two payees', { bill }, 'input.transfer'],
    ['no recipient', { transfer: {} }, 'input.transfer.toWalletId'],
    [
      'two recipients',
      { transfer: { toWalletId: other, toEmail: 'ada@example.com' } },
      'input.transfer.toWalletId',
    ],
    [
      'the source wallet as recipient',
      { transfer: { toWalletId: wallet.toUpperCase() } },
      'input.transfer.toWalletId',
    ],
    ['a bad email', { transfer: { toEmail: 'ada' } }, 'input.transfer.toEmail'],
    [
      'a blank reference',
      { transfer: null, bill: { billerId: 'ACME_POWER', reference: '  ' } },
      'input.bill.reference',
    ],
    ['a zero amount', { amount: { amount: '0', currency: 'EUR' } }, 'input.amount.amount'],
    ['too many decimals', { amount: { amount: '1.001', currency: 'EUR' } }, 'input.amount.amount'],
    ['an empty key', { idempotencyKey: '' }, 'input.idempotencyKey'],
    ['an end at the start', { endsAt: new Date('2026-03-10T09:00:00Z') }, 'input.endsAt'],
    ['an end before the start', { endsAt: new Date('2026-03-01T09:00:00Z') }, 'input.endsAt'],
    ['day 0', { frequency: 'MONTHLY', dayOfMonth: 0 }, 'input.dayOfMonth'],
    ['day 32', { frequency: 'MONTHLY', dayOfMonth: 32 }, 'input.dayOfMonth'],
    ['an invisible note', { note: 'a\u200bb' }, 'input.note'],
  ] as const)('refuses %s: BAD_USER_INPUT naming %s', (_name, overrides, field) => {
    expect(() => parseSchedulePayment(input(overrides as Partial<SchedulePaymentInput>))).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field } }),
    );
  });
});

describe('scheduleRequestHash', () => {
  const hash = (overrides: Partial<SchedulePaymentInput> = {}) =>
    scheduleRequestHash(parseSchedulePayment(input(overrides)));

  it('is the same for the same request however it is written, whatever its key', () => {
    expect(
      hash({
        amount: { amount: '5.00', currency: 'EUR' },
        walletId: wallet.toUpperCase(),
        idempotencyKey: 'k2',
      }),
    ).toBe(hash());
  });

  it('differs when anything the schedule would do differs', () => {
    const variants = [
      hash(),
      hash({ amount: { amount: '6', currency: 'EUR' } }),
      hash({ frequency: 'MONTHLY' }),
      hash({ startsAt: new Date('2026-03-11T09:00:00Z') }),
      hash({ endsAt: new Date('2026-06-01T00:00:00Z') }),
      hash({ transfer: { toEmail: 'ada@example.com' } }),
      hash({ note: 'rent' }),
    ];
    expect(new Set(variants).size).toBe(variants.length);
  });
});
