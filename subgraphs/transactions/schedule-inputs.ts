import { badInput } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import type { SchedulePayee, ScheduleRequest } from './domain/schedules.ts';
import type { SchedulePaymentInput } from './generated/resolvers.ts';
import { MAX_BILL_REFERENCE_LENGTH, parseAmountAndKey, parseEmail, parseNote, sameId } from './inputs.ts';

/**
 * `schedulePayment`'s input, checked as inputs.ts checks the other mutations' (BAD_USER_INPUT
 * naming the field, nothing read yet). What needs the clock or the catalog (a start already
 * past, the biller, the reference's pattern) is the use case's (schedules.ts).
 */
export function parseSchedulePayment(input: SchedulePaymentInput): ScheduleRequest {
  const { amount, idempotencyKey } = parseAmountAndKey(input);
  const payee = parsePayee(input);
  const startsAt = toDate(input.startsAt);
  const endsAt = input.endsAt == null ? null : toDate(input.endsAt);
  if (endsAt && endsAt <= startsAt) throw badInput('input.endsAt', 'must be after startsAt');
  return {
    source: parseSource(input),
    payee,
    amount,
    frequency: input.frequency,
    startsAt,
    endsAt,
    dayOfMonth: parseDayOfMonth(input, startsAt),
    note: parseNote(input.note),
    idempotencyKey,
  };
}

function parseSource(input: SchedulePaymentInput): ScheduleRequest['source'] {
  if ((input.walletId == null) === (input.jarId == null)) {
    throw badInput('input.walletId', 'give exactly one of walletId and jarId');
  }
  if (input.jarId != null) {
    // Transfers move between wallets' available balances (docs/architecture.md §6); a jar pays only bills.
    if (input.bill == null) throw badInput('input.jarId', 'only a bill can be paid from a jar');
    return { by: 'jar', jarId: parseId<'Jar'>(input.jarId) };
  }
  return { by: 'wallet', walletId: parseId<'Wallet'>(input.walletId) };
}

function parsePayee(input: SchedulePaymentInput): SchedulePayee {
  const { transfer, bill } = input;
  if ((transfer == null) === (bill == null))
    throw badInput('input.transfer', 'give exactly one of transfer and bill');
  if (bill) {
    const reference = bill.reference.trim();
    if (reference.length < 1 || reference.length > MAX_BILL_REFERENCE_LENGTH) {
      throw badInput('input.bill.reference', `must be 1 to ${MAX_BILL_REFERENCE_LENGTH} characters`);
    }
    return { kind: 'BILL_PAYMENT', billerId: bill.billerId, reference };
  }
  const hasId = transfer!.toWalletId != null;
  if (hasId === (transfer!.toEmail != null)) {
    throw badInput('input.transfer.toWalletId', 'give exactly one of toWalletId and toEmail');
  }
  if (!hasId)
    return {
      kind: 'TRANSFER',
      to: { by: 'email', email: parseEmail(transfer!.toEmail!, 'input.transfer.toEmail') },
    };
  if (input.walletId != null && sameId(transfer!.toWalletId!, input.walletId)) {
    throw badInput('input.transfer.toWalletId', 'cannot transfer to the same wallet');
  }
  return { kind: 'TRANSFER', to: { by: 'walletId', walletId: parseId<'Wallet'>(transfer!.toWalletId) } };
}

/** MONTHLY: 1..31, startsAt's day (UTC) when not given. Other frequencies ignore it. */
function parseDayOfMonth(input: SchedulePaymentInput, startsAt: Date): number | null {
  if (input.frequency !== 'MONTHLY') return null;
  const day = input.dayOfMonth ?? startsAt.getUTCDate();
  if (!Number.isInteger(day) || day < 1 || day > 31)
    throw badInput('input.dayOfMonth', 'must be from 1 to 31');
  return day;
}

/** The DateTime scalar parses inputs to a Date; the generated type also allows its string. */
function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
