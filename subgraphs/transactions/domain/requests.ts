import { createHash } from 'node:crypto';
import type { OperationKind } from '@walletgraph/events';
import type { JarId, WalletId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';

/** The moves between a wallet's available balance, its jars and the outside (docs/architecture.md §6). */
export type JarMoveKind = Extract<OperationKind, 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_MOVE' | 'JAR_SPEND'>;

/**
 * Who a transfer goes to: a wallet by id, or a registered user's default wallet by email. A
 * wallet id is null when the one the client sent names no wallet (it is no UUID).
 */
export type Recipient = { by: 'walletId'; walletId: WalletId | null } | { by: 'email'; email: string };

/** What every request carries. */
export interface Requested {
  /** Positive, in the currency's exponent. */
  amount: Money;
  idempotencyKey: string;
  /** Set by the scheduler on a run of a scheduled payment (never by a client). */
  scheduleId?: string;
}

export interface WalletRequestBase extends Requested {
  /** The caller's wallet the money moves in or out of; null when the id sent names none. */
  walletId: WalletId | null;
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
 * released or spent from, or (JAR_MOVE) moved from; an id is null when the one sent names no jar.
 */
export type JarRequest =
  | (Requested & { kind: 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_SPEND'; jarId: JarId | null })
  | (Requested & { kind: 'JAR_MOVE'; jarId: JarId | null; toJarId: JarId | null });

/** A validated money-operation request: what the caller asked for, before any state is read. */
export type OperationRequest = WalletRequest | JarRequest;

/**
 * A bill payment (`payBill`): from the caller's wallet's available balance or from one of their
 * jars, to a biller of the catalog. An id is null when the one sent names nothing.
 */
export interface BillRequest extends Requested {
  kind: 'BILL_PAYMENT';
  source: { by: 'wallet'; walletId: WalletId | null } | { by: 'jar'; jarId: JarId | null };
  billerId: string;
  /** Trimmed, as the biller is asked for it. */
  reference: string;
  /** Trimmed; null when absent or blank. */
  note: string | null;
}

/** The input field that names an operation's own wallet: what NOT_FOUND and WALLET_ARCHIVED point at. */
export function sourceField(kind: WalletRequest['kind'] | 'BILL_PAYMENT'): string {
  return kind === 'TRANSFER' ? 'input.fromWalletId' : 'input.walletId';
}

/** The input field that names a jar move's (source) jar: what its refusals point at. */
export function jarField(kind: JarMoveKind | 'BILL_PAYMENT'): string {
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

/**
 * A fingerprint of what a request asks for, so a retried key can be told from a reused one:
 * sha-256 of the canonical JSON of the semantically relevant input. The amount counts in minor
 * units ("10" and "10.00" are one request); the wallet, recipient and jar ids count (a key reused
 * for another jar is another request); the idempotency key itself and `waitMs` (how long to wait,
 * not what to do) are left out.
 */
export function requestHash(request: OperationRequest | BillRequest): string {
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
