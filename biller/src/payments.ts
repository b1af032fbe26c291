import { z } from 'zod';
import type { Behaviour } from './behaviour.ts';
import { findBiller } from './catalog.ts';
import { type Receipt, receiptFor, scenarioOf } from './outcomes.ts';

export const paymentRequest = z.object({
  paymentId: z.string().min(1).max(200),
  billerId: z.string().min(1),
  reference: z.string().min(1).max(100),
  amount: z.object({
    minorUnits: z.string().regex(/^[1-9]\d{0,17}$/, 'a positive whole number of minor units'),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code'),
  }),
});
export type PaymentRequest = z.infer<typeof paymentRequest>;

export type FailureCode = 'BILLER_REJECTED' | 'INVALID_REFERENCE';

/** What the biller knows happened to a payment: only charged or definitely refused ones are kept. */
export type PaymentRecord =
  | { paymentId: string; status: 'SUCCEEDED'; receipt: Receipt }
  | { paymentId: string; status: 'FAILED'; code: FailureCode };

/** An HTTP answer: status code and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

export interface PaymentDeskOptions {
  behaviour: () => Behaviour;
  /** Draws in [0, 1) for the failure rate; seedable so runs repeat. */
  random: () => number;
  /** Waits out a hang; rejects when the server stops, so a stop never waits for a hang. */
  wait: (ms: number) => Promise<void>;
}

/**
 * The biller's side of a payment: idempotent by paymentId (a repeat answers what the first one
 * recorded, never charging again), with the deterministic failures of outcomes.ts. State lives in
 * memory: a restart forgets every payment, as a simulator may.
 */
export function createPaymentDesk({ behaviour, random, wait }: PaymentDeskOptions) {
  const records = new Map<string, { fingerprint: string; record: PaymentRecord }>();
  /** paymentIds whose first, hanging attempt (…9003) has been made. */
  const hungOnce = new Set<string>();
  let charges = 0;

  const answerFor = (record: PaymentRecord): Answer => ({
    status: record.status === 'SUCCEEDED' ? 200 : 422,
    body: record,
  });

  const keep = (fingerprint: string, record: PaymentRecord) => {
    records.set(record.paymentId, { fingerprint, record });
    if (record.status === 'SUCCEEDED') charges++;
    return record;
  };

  async function pay(request: PaymentRequest): Promise<Answer> {
    const { paymentId } = request;
    const biller = findBiller(request.billerId);
    if (!biller)
      return { status: 404, body: { code: 'UNKNOWN_BILLER', message: `no biller ${request.billerId}` } };
    if (request.amount.currency !== biller.currency) {
      return {
        status: 400,
        body: { code: 'CURRENCY_MISMATCH', message: `${biller.id} is paid in ${biller.currency}` },
      };
    }
    const fingerprint = JSON.stringify([request.billerId, request.reference, request.amount]);
    const known = records.get(paymentId);
    if (known) {
      if (known.fingerprint !== fingerprint) {
        return {
          status: 409,
          body: { code: 'PAYMENT_ID_REUSED', message: `payment ${paymentId} was made with another body` },
        };
      }
      return answerFor(known.record);
    }
    if (random() < behaviour().failureRate) {
      return { status: 503, body: { code: 'UNAVAILABLE', message: 'biller temporarily unavailable' } };
    }
    const charge = () =>
      keep(fingerprint, {
        paymentId,
        status: 'SUCCEEDED',
        receipt: receiptFor(biller, paymentId, BigInt(request.amount.minorUnits)),
      });
    const scenario = scenarioOf(biller, request.reference);
    switch (scenario) {
      case 'INVALID_REFERENCE':
        return answerFor(keep(fingerprint, { paymentId, status: 'FAILED', code: 'INVALID_REFERENCE' }));
      case 'REJECTED':
        return answerFor(keep(fingerprint, { paymentId, status: 'FAILED', code: 'BILLER_REJECTED' }));
      case 'CHARGE_THEN_HANG': {
        const record = charge();
        await wait(behaviour().hangMs);
        return answerFor(record);
      }
      case 'HANG_FIRST_ATTEMPT':
        if (!hungOnce.has(paymentId)) {
          hungOnce.add(paymentId);
          await wait(behaviour().hangMs);
          return { status: 504, body: { code: 'TIMEOUT', message: 'the biller did not answer in time' } };
        }
        return answerFor(charge());
      case 'CHARGE_THEN_ERROR':
        charge();
        return { status: 500, body: { code: 'INTERNAL_ERROR', message: 'the biller failed' } };
      case 'SUCCEED':
        return answerFor(charge());
    }
  }

  /** "Did payment X happen?": what a payment worker asks to settle a call it got no answer to. */
  function status(paymentId: string): PaymentRecord | { paymentId: string; status: 'NOT_FOUND' } {
    return records.get(paymentId)?.record ?? { paymentId, status: 'NOT_FOUND' };
  }

  /** Every payment kept and how many charges were made: tests prove a repeat charged nothing. */
  function summary() {
    return { charges, payments: [...records.values()].map(({ record }) => record) };
  }

  return { pay, status, summary };
}

export type PaymentDesk = ReturnType<typeof createPaymentDesk>;
