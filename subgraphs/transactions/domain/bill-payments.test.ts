import { DomainError } from '@walletgraph/platform/errors';
import { describe, expect, it } from 'vitest';
import type { PaymentCall } from '../bills/payment-answers.ts';
import {
  billLedgerKey,
  billLedgerPost,
  billStepOf,
  decideBillPayment,
  decidePayment,
  type PaymentDecision,
} from './bill-payments.ts';
import type { BillRequest } from './requests.ts';

const now = new Date('2026-12-04T10:00:00.000Z');
const opId = '0196f0a0-0000-7000-8000-0000000000aa';
const walletId = '0196f0a0-0000-7000-8000-000000000001';
const jarId = '0196f0a0-0000-7000-8000-00000000000f';
const pacing = { firstRetryMs: 1000, maxRetryMs: 8000 };
const receipt = { billerReference: 'NL-1', token: '12345678901234567890', units: '100.0' };

describe('billStepOf', () => {
  it.each([
    [billLedgerKey(opId, 'hold'), { operationId: opId, step: 'hold' }],
    [billLedgerKey(opId, 'capture'), { operationId: opId, step: 'capture' }],
    [billLedgerKey(opId, 'release'), { operationId: opId, step: 'release' }],
    [`op:${opId}`, null],
    [`bill:${opId}:refund`, null],
    ['jar:period', null],
  ])('reads %s', (key, expected) => {
    expect(billStepOf(key)).toEqual(expected);
  });
});

describe('billLedgerPost', () => {
  const operation = {
    id: opId,
    walletId,
    jarId: null as string | null,
    amountMinor: 3500n,
    currency: 'EUR',
    holdExpiresAt: new Date('2026-12-04T10:15:00.000Z'),
  };
  const hold = `hold:${opId}`;
  const available = `wallet:${walletId}:available`;
  it.each([
    ['hold', null, available, hold],
    ['capture', null, hold, 'external:biller:EUR'],
    ['release', null, hold, available],
    ['hold', jarId, `jar:${jarId}`, hold],
    ['release', jarId, hold, `jar:${jarId}`],
  ] as const)('%s (jar %s) moves from %s to %s', (step, jar, from, to) => {
    const post = billLedgerPost({ ...operation, jarId: jar }, step);
    expect(post).toMatchObject({
      idempotencyKey: `bill:${opId}:${step}`,
      operationId: opId,
      postings: [
        { account: from, amount: '-3500', currency: 'EUR' },
        { account: to, amount: '3500', currency: 'EUR' },
      ],
    });
    expect(post.holdExpiresAt).toBe(step === 'hold' ? '2026-12-04T10:15:00.000Z' : undefined);
  });
});

describe('decidePayment', () => {
  const expiresAt = new Date(now.getTime() + 60_000);
  const expired = new Date(now.getTime() - 1);
  const unanswered = (sent: boolean): PaymentCall => ({ kind: 'UNANSWERED', sent, reason: 'timeout' });
  it.each<[string, number, Date, PaymentCall, PaymentDecision]>([
    [
      'a receipt captures',
      1,
      expiresAt,
      { kind: 'SUCCEEDED', receipt },
      { kind: 'CAPTURE', receipt: { ...receipt, issuedAt: now.toISOString() } },
    ],
    [
      'a receipt captures even after expiry',
      4,
      expired,
      { kind: 'SUCCEEDED', receipt: { billerReference: 'A-1' } },
      {
        kind: 'CAPTURE',
        receipt: { billerReference: 'A-1', token: null, units: null, issuedAt: now.toISOString() },
      },
    ],
    [
      'a refusal releases',
      1,
      expiresAt,
      { kind: 'FAILED', code: 'BILLER_REJECTED' },
      { kind: 'RELEASE', failureCode: 'BILLER_REJECTED' },
    ],
    [
      'an unknown reference releases',
      2,
      expiresAt,
      { kind: 'FAILED', code: 'INVALID_REFERENCE' },
      { kind: 'RELEASE', failureCode: 'INVALID_REFERENCE' },
    ],
    [
      'the first call kept back by the breaker releases',
      1,
      expiresAt,
      unanswered(false),
      { kind: 'RELEASE', failureCode: 'BILLER_UNAVAILABLE' },
    ],
    [
      'a first call that went out waits',
      1,
      expiresAt,
      unanswered(true),
      { kind: 'RETRY', afterMs: 1000, lastError: 'timeout' },
    ],
    [
      'a later call kept back waits: an earlier one went out',
      2,
      expiresAt,
      unanswered(false),
      { kind: 'RETRY', afterMs: 2000, lastError: 'timeout' },
    ],
    [
      'the wait doubles up to its longest',
      9,
      expiresAt,
      unanswered(true),
      { kind: 'RETRY', afterMs: 8000, lastError: 'timeout' },
    ],
    [
      'no answer past expiry still waits: no guessing',
      3,
      expired,
      unanswered(true),
      { kind: 'RETRY', afterMs: 4000, lastError: 'timeout' },
    ],
    [
      'never made, past expiry: released',
      3,
      expired,
      { kind: 'NOT_FOUND' },
      { kind: 'RELEASE', failureCode: 'BILLER_UNAVAILABLE' },
    ],
    [
      'never made, before expiry: waits',
      2,
      expiresAt,
      { kind: 'NOT_FOUND' },
      {
        kind: 'RETRY',
        afterMs: 2000,
        lastError: 'the biller has no record of the payment yet',
      },
    ],
  ])('%s', (_, calls, holdExpiresAt, call, expected) => {
    expect(decidePayment({ calls }, { expiresAt: holdExpiresAt }, call, { now, pacing })).toEqual(expected);
  });
});

describe('decideBillPayment', () => {
  const request: BillRequest = {
    kind: 'BILL_PAYMENT',
    source: { by: 'wallet', walletId: walletId as never },
    billerId: 'nordlicht-energie',
    reference: '45012341234',
    note: null,
    amount: { minor: 3500n, currency: 'EUR' },
    idempotencyKey: 'k1',
  };
  const parties = {
    source: { walletId, ownerId: '0196f0a0-0000-7000-8000-00000000a11c' },
    recipient: null,
    jarId: null,
    counterpartyJarId: null,
  };
  const biller = {
    id: 'nordlicht-energie',
    name: 'Nordlicht Energie',
    currency: 'EUR',
    referenceLabel: 'Meter number',
    referencePattern: /^\d{11}$/,
  };
  const deps = { newId: () => opId, now, holdTtlMs: 900_000 };
  const decide = (r: BillRequest, budget: Parameters<typeof decideBillPayment>[1]['budget'] = null) =>
    decideBillPayment(r, { parties, biller, requestHash: 'h', budget }, deps);

  it('is PENDING with the command that holds the amount until its expiry', () => {
    const { operation, hold } = decide(request);
    expect(operation).toMatchObject({
      kind: 'BILL_PAYMENT',
      status: 'PENDING',
      billerId: 'nordlicht-energie',
      billReference: '45012341234',
      holdStatus: null,
      holdExpiresAt: new Date('2026-12-04T10:15:00.000Z'),
    });
    expect(hold?.idempotencyKey).toBe(`bill:${opId}:hold`);
  });

  it('fails at once past a budget that blocks overspending, holding nothing', () => {
    const { operation, hold } = decide(request, { ok: false, failureCode: 'BUDGET_EXCEEDED' });
    expect(operation).toMatchObject({ status: 'FAILED', failureCode: 'BUDGET_EXCEEDED', settledAt: now });
    expect(hold).toBeNull();
  });

  it.each<[string, Partial<BillRequest>, string, string]>([
    [
      'another currency',
      { amount: { minor: 100n, currency: 'USD' } },
      'CURRENCY_MISMATCH',
      'input.amount.currency',
    ],
    ['a reference not of the pattern', { reference: '123' }, 'INVALID_REFERENCE', 'input.reference'],
  ])('refuses %s', (_, change, code, field) => {
    const thrown = (() => {
      try {
        decide({ ...request, ...change });
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(DomainError);
    expect(thrown).toMatchObject({ code, details: { field } });
  });
});
