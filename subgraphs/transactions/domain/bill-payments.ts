import { ledgerAccount } from '@walletgraph/events';
import { DomainError } from '@walletgraph/platform/errors';
import type { BillerReceipt, BillerRefusal, PaymentCall } from '../bills/payment-answers.ts';
import type { BillPaymentRow, BillReceipt, OperationRow } from '../db/schema.ts';
import type { BudgetCheck } from './budget.ts';
import type { LedgerPost, OperationParties } from './operations.ts';
import type { BillRequest } from './requests.ts';

/**
 * The rules of a bill payment (docs/architecture.md §5): the money is held first, the biller is
 * paid, and the hold is then captured (paid) or released (refused). Pure: the worker and the
 * settlement read and write, these decide.
 */

/** The biller as a payment needs it: from the catalog, its reference pattern compiled. */
export interface PayableBiller {
  id: string;
  currency: string;
  referencePattern: RegExp;
  referenceLabel: string;
  name: string;
}

/** The ledger command of each step; its key says which step of which operation it is. */
export type BillStep = 'hold' | 'capture' | 'release';

const billKey = /^bill:([0-9a-f-]{36}):(hold|capture|release)$/;

/** The idempotency key of a bill payment's ledger command: one per step, so each posts once. */
export function billLedgerKey(operationId: string, step: BillStep): string {
  return `bill:${operationId}:${step}`;
}

/** The operation and step a ledger command's key names, or null for any other command. */
export function billStepOf(idempotencyKey: string): { operationId: string; step: BillStep } | null {
  const match = billKey.exec(idempotencyKey);
  return match ? { operationId: match[1]!, step: match[2] as BillStep } : null;
}

/**
 * Whether `biller` can be asked to pay this bill: in its own currency, for a reference of its
 * pattern; CURRENCY_MISMATCH or INVALID_REFERENCE (naming `referenceField`) otherwise. What
 * payBill and a scheduled bill both check before anything is written.
 */
export function checkPayable(
  biller: PayableBiller,
  bill: { reference: string; currency: string },
  referenceField = 'input.reference',
): void {
  if (biller.currency !== bill.currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `input.amount.currency: ${biller.name} is paid in ${biller.currency}, not ${bill.currency}`,
      { field: 'input.amount.currency' },
    );
  }
  if (!biller.referencePattern.test(bill.reference)) {
    throw new DomainError(
      'INVALID_REFERENCE',
      `${referenceField}: not a ${biller.referenceLabel.toLowerCase()} ${biller.name} knows`,
      { field: referenceField },
    );
  }
}

/**
 * A bill payment's operation, before it is written: PENDING with the command that holds its
 * amount, or FAILED at once (BUDGET_EXCEEDED) with no command. The biller must be paid in the
 * source's currency and know the reference's shape; either mistake is refused and writes nothing.
 */
export function decideBillPayment(
  request: BillRequest,
  state: {
    parties: OperationParties;
    biller: PayableBiller;
    requestHash: string;
    budget: BudgetCheck | null;
  },
  deps: { newId: () => string; now: Date; holdTtlMs: number },
): { operation: OperationRow; hold: LedgerPost | null } {
  const { parties, biller, budget } = state;
  checkPayable(biller, { reference: request.reference, currency: request.amount.currency });
  const failureCode = budget && !budget.ok ? budget.failureCode : null;
  const operation: OperationRow = {
    id: deps.newId(),
    ownerId: parties.source.ownerId,
    walletId: parties.source.walletId,
    kind: 'BILL_PAYMENT',
    status: failureCode ? 'FAILED' : 'PENDING',
    failureCode,
    amountMinor: request.amount.minor,
    currency: request.amount.currency,
    counterpartyWalletId: null,
    counterpartyOwnerId: null,
    jarId: parties.jarId,
    counterpartyJarId: null,
    note: request.note,
    idempotencyKey: request.idempotencyKey,
    requestHash: state.requestHash,
    ledgerEntryId: null,
    billerId: biller.id,
    billReference: request.reference,
    holdStatus: null,
    holdExpiresAt: new Date(deps.now.getTime() + deps.holdTtlMs),
    receipt: null,
    scheduleId: request.scheduleId ?? null,
    createdAt: deps.now,
    settledAt: failureCode ? deps.now : null,
  };
  return { operation, hold: failureCode ? null : billLedgerPost(operation, 'hold') };
}

/**
 * The ledger command of one step. The hold moves the amount from where it is paid from (the
 * wallet's available balance or the jar) to `hold:<operationId>`; the capture moves it on to the
 * biller's external account; the release moves it back. The hold account never goes below zero,
 * so once one of capture and release has posted the ledger refuses the other: money is never
 * captured twice nor released after capture, whatever is retried.
 */
export function billLedgerPost(
  operation: Pick<OperationRow, 'id' | 'walletId' | 'jarId' | 'amountMinor' | 'currency' | 'holdExpiresAt'>,
  step: BillStep,
): LedgerPost {
  const { id, currency } = operation;
  const amount = operation.amountMinor.toString();
  const source = operation.jarId
    ? ledgerAccount.jar(operation.jarId)
    : ledgerAccount.walletAvailable(operation.walletId);
  const hold = ledgerAccount.hold(id);
  const move = (from: string, to: string, description: string): LedgerPost => ({
    idempotencyKey: billLedgerKey(id, step),
    operationId: id,
    description,
    postings: [
      { account: from, amount: `-${amount}`, currency },
      { account: to, amount, currency },
    ],
  });
  switch (step) {
    case 'hold': {
      if (!operation.holdExpiresAt) throw new Error(`bill payment ${id} has no hold expiry`);
      return {
        ...move(source, hold, 'Bill payment: hold'),
        holdExpiresAt: operation.holdExpiresAt.toISOString(),
      };
    }
    case 'capture':
      return move(hold, ledgerAccount.external('biller', currency), 'Bill payment: paid to the biller');
    case 'release':
      return move(hold, source, 'Bill payment: hold released');
  }
}

/** What the payment worker does next with a payment whose hold is open. */
export type PaymentDecision =
  | { kind: 'CAPTURE'; receipt: BillReceipt }
  | { kind: 'RELEASE'; failureCode: BillerRefusal | 'BILLER_UNAVAILABLE' }
  | { kind: 'RETRY'; afterMs: number; lastError: string };

/** How the worker paces its calls for one payment. */
export interface PaymentPacing {
  /** The wait after the first unanswered call, doubled after each. */
  firstRetryMs: number;
  /** The longest wait between two calls. */
  maxRetryMs: number;
}

/**
 * Decides from the biller's answer. A receipt captures; a refusal releases with the biller's
 * code. No answer decides nothing (the biller may have made the payment): the call is retried
 * with backoff, and every retry asks the status first. Only two things release without a
 * payment the biller confirmed it refused: an open breaker that kept the very first call from
 * ever leaving (the biller cannot have seen it), and a status query that says the payment never
 * happened once the hold has expired (after that the worker stops paying).
 */
export function decidePayment(
  payment: Pick<BillPaymentRow, 'calls'>,
  hold: { expiresAt: Date },
  call: PaymentCall,
  deps: { now: Date; pacing: PaymentPacing },
): PaymentDecision {
  switch (call.kind) {
    case 'SUCCEEDED':
      return { kind: 'CAPTURE', receipt: receiptOf(call.receipt, deps.now) };
    case 'FAILED':
      return { kind: 'RELEASE', failureCode: call.code };
    case 'NOT_FOUND':
      if (deps.now >= hold.expiresAt) return { kind: 'RELEASE', failureCode: 'BILLER_UNAVAILABLE' };
      return retry(payment, 'the biller has no record of the payment yet', deps);
    case 'UNANSWERED':
      // `calls` counts this claim's call too: 1 means no earlier call ever went out.
      if (payment.calls <= 1 && !call.sent) return { kind: 'RELEASE', failureCode: 'BILLER_UNAVAILABLE' };
      return retry(payment, call.reason, deps);
  }
}

function retry(
  payment: Pick<BillPaymentRow, 'calls'>,
  lastError: string,
  deps: { now: Date; pacing: PaymentPacing },
): PaymentDecision {
  const { firstRetryMs, maxRetryMs } = deps.pacing;
  const afterMs = Math.min(maxRetryMs, firstRetryMs * 2 ** Math.max(0, payment.calls - 1));
  return { kind: 'RETRY', afterMs, lastError };
}

function receiptOf(receipt: BillerReceipt, issuedAt: Date): BillReceipt {
  return {
    billerReference: receipt.billerReference,
    token: receipt.token ?? null,
    units: receipt.units ?? null,
    issuedAt: issuedAt.toISOString(),
  };
}
