import { DomainError } from '@walletgraph/platform/errors';
import { z } from 'zod';

/**
 * Payments as the biller's API answers them (docs/biller.md: `POST /payments`,
 * `GET /payments/:id`), read into what the payment worker decides on.
 */

/** An HTTP answer from the biller: its status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

const receiptAnswer = z.object({
  billerReference: z.string().min(1),
  token: z.string().min(1).optional(),
  units: z.string().min(1).optional(),
});
/** What the biller issued for a payment it made. */
export type BillerReceipt = z.infer<typeof receiptAnswer>;

/** Refusals the biller answers for a payment it did not make (422): definite, never retried. */
export const billerRefusals = ['BILLER_REJECTED', 'INVALID_REFERENCE'] as const;
export type BillerRefusal = (typeof billerRefusals)[number];

const paymentAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('SUCCEEDED'), receipt: receiptAnswer }),
  z.object({ status: z.literal('FAILED'), code: z.enum(billerRefusals) }),
  z.object({ status: z.literal('NOT_FOUND') }),
]);

/** A payment as the biller tells it: made (with its receipt), refused, or never seen. */
export type PaymentVerdict =
  | { kind: 'SUCCEEDED'; receipt: BillerReceipt }
  | { kind: 'FAILED'; code: BillerRefusal }
  | { kind: 'NOT_FOUND' };

/**
 * The outcome of asking the biller about a payment: its verdict, or no answer. `sent` says
 * whether any attempt left this process (when none did, the open breaker refused them all, and
 * the biller cannot have made the payment).
 */
export type PaymentCall = PaymentVerdict | { kind: 'UNANSWERED'; sent: boolean; reason: string };

/** A payment to make: `paymentId` makes it idempotent at the biller. */
export interface PaymentOrder {
  paymentId: string;
  billerId: string;
  reference: string;
  amountMinor: bigint;
  currency: string;
}

/**
 * Reads a payment answer (200 made, 422 refused, a status query's NOT_FOUND). No answer at all
 * (timeouts, 5xx, the breaker) is UNANSWERED: the caller must not conclude anything from it. Any
 * other answer (404 unknown biller, 409 a paymentId reused, a malformed body) is a bug or a
 * broken biller: thrown, for the worker to log and retry later.
 */
export async function verdictOf(
  request: () => Promise<Answer>,
  wasSent: () => boolean,
): Promise<PaymentCall> {
  let answer: Answer;
  try {
    answer = await request();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BILLER_UNAVAILABLE') {
      return { kind: 'UNANSWERED', sent: wasSent(), reason: error.message };
    }
    throw error;
  }
  if (answer.status !== 200 && answer.status !== 422) {
    throw new Error(`biller payment answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  const verdict = paymentAnswer.parse(answer.body);
  switch (verdict.status) {
    case 'SUCCEEDED':
      return { kind: 'SUCCEEDED', receipt: verdict.receipt };
    case 'FAILED':
      return { kind: 'FAILED', code: verdict.code };
    case 'NOT_FOUND':
      return { kind: 'NOT_FOUND' };
  }
}
