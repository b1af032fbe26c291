import { createHash } from 'node:crypto';
import { badInput } from '@walletgraph/platform/errors';
import { isUuid } from '@walletgraph/platform/ids';
import { type Money, parseMoneyInput } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
import { z } from 'zod';

/** The longest note an operation keeps (a payment reference, not a letter). */
export const MAX_NOTE_LENGTH = 280;
/** Idempotency keys are client-chosen opaque strings: a uuid, a request id, "rent-2026-11". */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 100;
/** How long a mutation waits for settlement when the client does not say (ARCHITECTURE.md §5). */
export const DEFAULT_WAIT_MS = 2000;
export const MAX_WAIT_MS = 10_000;
const MAX_EMAIL_LENGTH = 254;

/** The moves between a wallet's available balance, its jars and the outside (ARCHITECTURE.md §6). */
export type JarMoveKind = 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_MOVE' | 'JAR_SPEND';

/** Who a transfer goes to: a wallet by id, or a registered user's default wallet by email. */
export type Recipient = { by: 'walletId'; walletId: string } | { by: 'email'; email: string };

/** What every request carries. */
interface Requested {
  /** Positive, in the currency's exponent. */
  amount: Money;
  idempotencyKey: string;
}

interface WalletRequestBase extends Requested {
  /** The caller's wallet the money moves in or out of, as the client sent it. */
  walletId: string;
  /** Trimmed; null when absent or blank. */
  note: string | null;
}

/** A deposit, withdrawal or transfer: it names the caller's wallet. */
export type WalletRequest =
  | (WalletRequestBase & { kind: 'DEPOSIT' })
  | (WalletRequestBase & { kind: 'WITHDRAWAL' })
  | (WalletRequestBase & { kind: 'TRANSFER'; to: Recipient });

/**
 * A jar move: it names jars, and happens in their wallet. `jarId` is the jar allocated to,
 * released or spent from, or (JAR_MOVE) moved from; ids are as the client sent them.
 */
export type JarRequest =
  | (Requested & { kind: 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_SPEND'; jarId: string })
  | (Requested & { kind: 'JAR_MOVE'; jarId: string; toJarId: string });

/** A validated money-operation request: what the caller asked for, before any state is read. */
export type OperationRequest = WalletRequest | JarRequest;

/** The GraphQL `MoneyInput`. */
export interface MoneyInputShape {
  amount: string;
  currency: string;
}

/** `DepositInput` and `WithdrawInput`, as GraphQL hands them over. */
export interface WalletOperationInput {
  walletId: string;
  amount: MoneyInputShape;
  idempotencyKey: string;
  note?: string | null;
}

/** `TransferInput`, as GraphQL hands it over. */
export interface TransferInputShape {
  fromWalletId: string;
  toWalletId?: string | null;
  toEmail?: string | null;
  amount: MoneyInputShape;
  idempotencyKey: string;
  note?: string | null;
}

/** `JarMoveInput`, as GraphQL hands it over. */
export interface JarMoveInputShape {
  jarId: string;
  amount: MoneyInputShape;
  idempotencyKey: string;
}

/** `MoveBetweenJarsInput`, as GraphQL hands it over. */
export interface MoveBetweenJarsInputShape {
  fromJarId: string;
  toJarId: string;
  amount: MoneyInputShape;
  idempotencyKey: string;
}

/** The input field that names an operation's own wallet: what NOT_FOUND and WALLET_ARCHIVED point at. */
export function sourceField(kind: WalletRequest['kind']): string {
  return kind === 'TRANSFER' ? 'input.fromWalletId' : 'input.walletId';
}

/** The input field that names a jar move's (source) jar: what its refusals point at. */
export function jarField(kind: JarMoveKind): string {
  return kind === 'JAR_MOVE' ? 'input.fromJarId' : 'input.jarId';
}

/** Whether a request names jars (and happens in their wallet) rather than naming a wallet. */
export function isJarRequest(request: OperationRequest): request is JarRequest {
  switch (request.kind) {
    case 'JAR_ALLOCATION':
    case 'JAR_RELEASE':
    case 'JAR_MOVE':
    case 'JAR_SPEND':
      return true;
    case 'DEPOSIT':
    case 'WITHDRAWAL':
    case 'TRANSFER':
      return false;
  }
}

/** A `deposit` input, validated (amount, key, note). */
export function parseDeposit(input: WalletOperationInput): WalletRequest {
  return { kind: 'DEPOSIT', ...parseCommon(input, input.walletId) };
}

/** A `withdraw` input, validated (amount, key, note). */
export function parseWithdrawal(input: WalletOperationInput): WalletRequest {
  return { kind: 'WITHDRAWAL', ...parseCommon(input, input.walletId) };
}

/**
 * A transfer names its recipient exactly one way. A recipient id that is the source wallet is a
 * client mistake (BAD_USER_INPUT); an id that names no wallet is not: it settles FAILED with
 * RECIPIENT_NOT_FOUND, exactly as for an unknown email.
 */
export function parseTransfer(input: TransferInputShape): WalletRequest {
  const common = parseCommon(input, input.fromWalletId);
  const hasId = input.toWalletId != null;
  const hasEmail = input.toEmail != null;
  if (hasId === hasEmail) throw badInput('input.toWalletId', 'give exactly one of toWalletId and toEmail');
  if (hasId) {
    const walletId = normaliseId(input.toWalletId!);
    if (walletId === common.walletId)
      throw badInput('input.toWalletId', 'cannot transfer to the same wallet');
    return { kind: 'TRANSFER', ...common, to: { by: 'walletId', walletId } };
  }
  return { kind: 'TRANSFER', ...common, to: { by: 'email', email: parseEmail(input.toEmail!) } };
}

/** `allocateToJar`, `releaseFromJar` and `spendFromJar`: one jar and an amount. */
export function parseJarMove(
  kind: 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_SPEND',
  input: JarMoveInputShape,
): JarRequest {
  return { kind, jarId: normaliseId(input.jarId), ...parseAmountAndKey(input) };
}

/**
 * `moveBetweenJars`: from one jar to another of the same wallet. Moving a jar's money to itself
 * is a client mistake, told apart from a real move whatever the letter case of the ids.
 */
export function parseMoveBetweenJars(input: MoveBetweenJarsInputShape): JarRequest {
  const jarId = normaliseId(input.fromJarId);
  const toJarId = normaliseId(input.toJarId);
  if (toJarId === jarId) throw badInput('input.toJarId', 'cannot move money to the same jar');
  return { kind: 'JAR_MOVE', jarId, toJarId, ...parseAmountAndKey(input) };
}

/** `waitMs`: how long the mutation may wait for settlement; omitted is the default. */
export function parseWaitMs(waitMs: number | null | undefined): number {
  if (waitMs == null) return DEFAULT_WAIT_MS;
  if (!Number.isInteger(waitMs) || waitMs < 0 || waitMs > MAX_WAIT_MS) {
    throw badInput('waitMs', `must be a whole number of milliseconds from 0 to ${MAX_WAIT_MS}`);
  }
  return waitMs;
}

/**
 * A fingerprint of what a request asks for, so a retried key can be told from a reused one:
 * sha-256 of the canonical JSON of the semantically relevant input. The amount counts in minor
 * units ("10" and "10.00" are one request); the wallet, recipient and jar ids count (a key reused
 * for another jar is another request); the idempotency key itself and `waitMs` (how long to wait,
 * not what to do) are left out.
 */
export function requestHash(request: OperationRequest): string {
  const { idempotencyKey: _key, amount, ...rest } = request;
  const subject = { ...rest, amount: { minor: amount.minor.toString(), currency: amount.currency } };
  return createHash('sha256').update(canonicalJson(subject)).digest('hex');
}

/** JSON with object keys sorted at every depth, so equal values always serialise alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function parseCommon(
  input: { amount: MoneyInputShape; idempotencyKey: string; note?: string | null },
  walletId: string,
): WalletRequestBase {
  const requested = parseAmountAndKey(input);
  // The recipient sees the note: a visible text like a name, or none when blank.
  const note = input.note?.trim() ? parseVisibleText(input.note, 'input.note', MAX_NOTE_LENGTH) : null;
  return { walletId: normaliseId(walletId), ...requested, note };
}

/**
 * The amount (positive, within the currency's decimals and the largest amount any input may
 * name, `maxMinorUnits`) and the key's length.
 */
function parseAmountAndKey(input: { amount: MoneyInputShape; idempotencyKey: string }): Requested {
  const amount = parseMoneyInput(input.amount, 'input.amount');
  if (amount.minor <= 0n) throw badInput('input.amount.amount', 'must be greater than zero');
  const keyLength = [...input.idempotencyKey].length;
  if (keyLength < 1 || keyLength > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badInput('input.idempotencyKey', `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return { amount, idempotencyKey: input.idempotencyKey };
}

/** UUIDs compare case-insensitively; anything else stays as sent (and will name no wallet or jar). */
function normaliseId(id: string): string {
  return isUuid(id) ? id.toLowerCase() : id;
}

// The same check identity applies at registration (and the event contracts with z.email), so
// every registered address passes it.
const emailSchema = z.email().max(MAX_EMAIL_LENGTH);

/** Emails compare case-insensitively (ARCHITECTURE.md §9): trimmed and lower-cased, as identity stores them. */
function parseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!emailSchema.safeParse(email).success) {
    throw badInput('input.toEmail', 'must be an email address such as ada@example.com');
  }
  return email;
}
