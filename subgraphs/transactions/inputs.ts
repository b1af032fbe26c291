import { badInput } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import { parseMoneyInput } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
import { z } from 'zod';
import { decodeCursor, type PageRequest } from './domain/pages.ts';
import type {
  BillRequest,
  JarRequest,
  Requested,
  WalletRequest,
  WalletRequestBase,
} from './domain/requests.ts';
import type {
  DepositInput,
  JarMoveInput,
  MoneyInput,
  MoveBetweenJarsInput,
  PayBillInput,
  TransferInput,
  WithdrawInput,
} from './generated/resolvers.ts';

/**
 * The GraphQL arguments, checked and turned into what the domain takes (domain/requests.ts,
 * domain/pages.ts): every refusal here is BAD_USER_INPUT naming the offending field, and
 * nothing has been read yet. Client ids are parsed once here (`parseId`); an id that is no UUID
 * becomes null, which names nothing, so the rules answer it as any unknown id.
 */

/** The longest note an operation keeps (a payment reference, not a letter). */
export const MAX_NOTE_LENGTH = 280;
/** Idempotency keys are client-chosen opaque strings: a uuid, a request id, "rent-2026-11". */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;
/** How long a mutation waits for settlement when the client does not say (docs/architecture.md §5). */
export const DEFAULT_WAIT_MS = 2000;
export const MAX_WAIT_MS = 10_000;
const MAX_EMAIL_LENGTH = 254;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A `deposit` input, validated (amount, key, note). */
export function parseDeposit(input: DepositInput): WalletRequest {
  return { kind: 'DEPOSIT', ...parseCommon(input, input.walletId) };
}

/** A `withdraw` input, validated (amount, key, note). */
export function parseWithdrawal(input: WithdrawInput): WalletRequest {
  return { kind: 'WITHDRAWAL', ...parseCommon(input, input.walletId) };
}

/**
 * A transfer names its recipient exactly one way. A recipient id that is the source wallet is a
 * client mistake (BAD_USER_INPUT); an id that names no wallet is not: it settles FAILED with
 * RECIPIENT_NOT_FOUND, exactly as for an unknown email.
 */
export function parseTransfer(input: TransferInput): WalletRequest {
  const common = parseCommon(input, input.fromWalletId);
  const hasId = input.toWalletId != null;
  const hasEmail = input.toEmail != null;
  if (hasId === hasEmail) throw badInput('input.toWalletId', 'give exactly one of toWalletId and toEmail');
  if (hasId) {
    if (sameId(input.toWalletId!, input.fromWalletId))
      throw badInput('input.toWalletId', 'cannot transfer to the same wallet');
    const to = { by: 'walletId' as const, walletId: parseId<'Wallet'>(input.toWalletId) };
    return { kind: 'TRANSFER', ...common, to };
  }
  return { kind: 'TRANSFER', ...common, to: { by: 'email', email: parseEmail(input.toEmail!) } };
}

/** `allocateToJar`, `releaseFromJar` and `spendFromJar`: one jar and an amount. */
export function parseJarMove(
  kind: 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_SPEND',
  input: JarMoveInput,
): JarRequest {
  return { kind, jarId: parseId<'Jar'>(input.jarId), ...parseAmountAndKey(input) };
}

/**
 * `moveBetweenJars`: from one jar to another of the same wallet. Moving a jar's money to itself
 * is a client mistake, told apart from a real move whatever the letter case of the ids.
 */
export function parseMoveBetweenJars(input: MoveBetweenJarsInput): JarRequest {
  if (sameId(input.toJarId, input.fromJarId)) {
    throw badInput('input.toJarId', 'cannot move money to the same jar');
  }
  return {
    kind: 'JAR_MOVE',
    jarId: parseId<'Jar'>(input.fromJarId),
    toJarId: parseId<'Jar'>(input.toJarId),
    ...parseAmountAndKey(input),
  };
}

/** `waitMs`: how long the mutation may wait for settlement; omitted is the default. */
export function parseWaitMs(waitMs: number | null | undefined): number {
  if (waitMs == null) return DEFAULT_WAIT_MS;
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
    throw badInput('waitMs', `must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS}`);
  }
  return waitMs;
}

/** Validates `first` and `after`, naming the offending argument. */
export function parsePageRequest(args: { first?: number | null; after?: string | null }): PageRequest {
  const size = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw badInput('first', `must be from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (args.after == null) return { size, after: null };
  const after = decodeCursor(args.after);
  if (!after) throw badInput('after', 'is not a cursor this list handed out');
  return { size, after };
}

function parseCommon(
  input: { amount: MoneyInput; idempotencyKey: string; note?: string | null },
  walletId: string,
): WalletRequestBase {
  const requested = parseAmountAndKey(input);
  return { walletId: parseId<'Wallet'>(walletId), ...requested, note: parseNote(input.note) };
}

/** The recipient sees the note: a visible text like a name, or none when blank. */
export function parseNote(note: string | null | undefined): string | null {
  return note?.trim() ? parseVisibleText(note, 'input.note', MAX_NOTE_LENGTH) : null;
}

/**
 * The amount (positive, within the currency's decimals and the largest amount any input may
 * name, `maxMinorUnits`) and the key's length.
 */
export function parseAmountAndKey(input: { amount: MoneyInput; idempotencyKey: string }): Requested {
  const amount = parseMoneyInput(input.amount, 'input.amount');
  if (amount.minor <= 0n) throw badInput('input.amount.amount', 'must be greater than zero');
  const keyLength = [...input.idempotencyKey].length;
  if (keyLength < 1 || keyLength > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput('input.idempotencyKey', `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return { amount, idempotencyKey: input.idempotencyKey };
}

/**
 * Whether two ids the client sent are one: UUIDs whatever their letter case, anything else
 * exactly as sent (two ids that name nothing are still one id repeated, a client mistake).
 */
export function sameId(a: string, b: string): boolean {
  return (parseId(a) ?? a) === (parseId(b) ?? b);
}

// The same check identity applies at registration (and the event contracts with z.email), so
// every registered address passes it.
const emailSchema = z.email().max(MAX_EMAIL_LENGTH);

/** Emails compare case-insensitively (docs/architecture.md §9): trimmed and lower-cased, as identity stores them. */
export function parseEmail(raw: string, field = 'input.toEmail'): string {
  const email = raw.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) {
    throw badInput(field, 'must be an email address such as ada@example.com');
  }
  return email;
}

/** Longer than any biller's reference (meter, phone, account numbers); bounds the pattern's work. */
export const MAX_BILL_REFERENCE_LENGTH = 100;

/**
 * `validateBillReference`'s arguments. Only the length is checked here: whether a reference is
 * well formed is the biller's pattern's say (INVALID_REFERENCE, bills/bills.ts).
 */
export function parseBillReference(args: { billerId: string; reference: string }): {
  billerId: string;
  reference: string;
} {
  if (args.reference.length > MAX_BILL_REFERENCE_LENGTH)
    throw badInput('reference', `at most ${MAX_BILL_REFERENCE_LENGTH} characters`);
  return { billerId: args.billerId, reference: args.reference };
}

/**
 * `payBill`: from exactly one of a wallet and a jar, to a biller, for a reference (trimmed; its
 * shape is the biller's pattern's say, checked against the catalog before anything is written).
 */
export function parsePayBill(input: PayBillInput): BillRequest {
  const hasWallet = input.walletId != null;
  if (hasWallet === (input.jarId != null))
    throw badInput('input.walletId', 'give exactly one of walletId and jarId');
  const source = hasWallet
    ? { by: 'wallet' as const, walletId: parseId<'Wallet'>(input.walletId!) }
    : { by: 'jar' as const, jarId: parseId<'Jar'>(input.jarId!) };
  const reference = input.reference.trim();
  if (reference.length < 1 || reference.length > MAX_BILL_REFERENCE_LENGTH) {
    throw badInput('input.reference', `must be 1 to ${MAX_BILL_REFERENCE_LENGTH} characters`);
  }
  const note = input.note?.trim() ? parseVisibleText(input.note, 'input.note', MAX_NOTE_LENGTH) : null;
  return {
    kind: 'BILL_PAYMENT',
    source,
    billerId: input.billerId,
    reference,
    note,
    ...parseAmountAndKey(input),
  };
}
