import { z } from 'zod';
import { isAccountName } from './accounts.ts';

const id = z.uuid();
const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code');
/** Integer minor units as a decimal string (JSON numbers cannot carry a bigint). */
const minorUnits = z.string().regex(/^-?\d{1,30}$/, 'integer minor units as a string');
/** A ledger account id (docs/architecture.md §4), read by the one grammar of account names. */
const accountId = z.string().refine(isAccountName, 'a ledger account id');
const posting = z.object({ account: accountId, amount: minorUnits, currency });
/**
 * The kinds of money operation. Settlement events carry the kind, so the list is part of the
 * contract: transactions stores it (its `operations.kind` column) and announces it from here.
 * Add kinds, never rename or remove one: stored operations and published events carry them.
 */
export const operationKinds = [
  'DEPOSIT',
  'WITHDRAWAL',
  'TRANSFER',
  'JAR_ALLOCATION',
  'JAR_RELEASE',
  'JAR_MOVE',
  'JAR_SPEND',
  'BILL_PAYMENT',
] as const;
export type OperationKind = (typeof operationKinds)[number];

/** Why the ledger refused a command: a business result, not an error to retry. */
export const ledgerRejectionReasons = [
  'INSUFFICIENT_FUNDS',
  'ACCOUNT_NOT_FOUND',
  'WALLET_ARCHIVED',
  'CURRENCY_MISMATCH',
  'UNBALANCED',
  'IDEMPOTENCY_KEY_REUSED',
  /** A sweep found its source account at zero: nothing was posted. */
  'NOTHING_TO_MOVE',
] as const;

/** Why the ledger refused to close a wallet's accounts. */
export const walletCloseRefusalReasons = ['WALLET_NOT_EMPTY'] as const;

/**
 * Every integration event and command, by type. The type begins its AMQP routing key (routing.ts).
 * A breaking change to a payload is a new version (`.v2`), published beside the old one
 * until every consumer has moved.
 */
export const eventCatalog = {
  'identity.user_registered.v1': {
    aggregateType: 'User',
    data: z.object({
      userId: id,
      email: z.email(),
      displayName: z.string().min(1),
      /** Currency of the default wallet the wallet subgraph opens for this user. */
      currency,
    }),
  },
  'identity.user_updated.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, email: z.email(), displayName: z.string().min(1) }),
  },
  /**
   * A code for proving `email` was issued (at registration, on request, on an email change):
   * identity's mailer sends it there. Identity's own: the one event that carries a secret, so
   * no other service binds to it; the code is single-use, expires at `expiresAt`, and is stored
   * only hashed.
   */
  'identity.email_verification_requested.v1': {
    aggregateType: 'User',
    data: z.object({
      userId: id,
      email: z.email(),
      code: z.string().regex(/^\d{8}$/),
      expiresAt: z.iso.datetime({ offset: true }),
    }),
  },
  /**
   * Someone registered with an address an account already holds (they got a shadow account, see
   * identity): identity's mailer tells the holder, who may want to sign in or ignore it.
   * Identity's own.
   */
  'identity.address_reuse_attempted.v1': {
    aggregateType: 'Address',
    data: z.object({ email: z.email() }),
  },
  /**
   * A user proved they receive mail at `email` (a code sent there was entered): from now on it
   * is their address, also as a payment address (`transfer(toEmail:)`). Emitted at each
   * verification, so also when a verified user moves to another address.
   */
  'identity.email_verified.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, email: z.email() }),
  },
  /**
   * Every session of the user ended (sign-out everywhere, a password change): access tokens
   * issued before `notBefore` are to be refused and live sockets opened with them closed.
   * Identity's own: its consumer records it where the gateways read it (platform revocations).
   */
  'identity.sessions_revoked.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, notBefore: z.iso.datetime({ offset: true }) }),
  },
  'wallet.opened.v1': {
    aggregateType: 'Wallet',
    data: z.object({
      walletId: id,
      ownerId: id,
      name: z.string().min(1),
      currency,
      isDefault: z.boolean(),
    }),
  },
  /**
   * `viewerId` completed a first transfer with the wallet `walletId` of `ownerId`: from now on
   * they are counterparties (each side gets one). Emitted by the wallet subgraph once per pair,
   * so a consumer that needs only who met whom (identity) receives one event per pair rather
   * than every settlement.
   */
  'wallet.counterparty_added.v1': {
    aggregateType: 'Wallet',
    data: z.object({ viewerId: id, walletId: id, ownerId: id }),
  },
  /**
   * A wallet was archived: the ledger has closed its accounts (every one at zero), so it accepts
   * no new operations. Emitted by the wallet subgraph once the ledger answered
   * `ledger.wallet_closed.v1` to its `wallet.archive_requested.v1`.
   */
  'wallet.archived.v1': {
    aggregateType: 'Wallet',
    data: z.object({ walletId: id, ownerId: id }),
  },
  /**
   * A command to the ledger: close the wallet's accounts (available and jars) if, and only if,
   * every one of them is at zero; answered with `ledger.wallet_closed.v1` or
   * `ledger.wallet_close_refused.v1` carrying the same `requestId`.
   */
  'wallet.archive_requested.v1': {
    aggregateType: 'Wallet',
    data: z.object({ requestId: id, walletId: id, ownerId: id }),
  },
  /** The ledger closed every account of the wallet (all were at zero); postings to them are refused. */
  'ledger.wallet_closed.v1': {
    aggregateType: 'Wallet',
    data: z.object({ requestId: id, walletId: id }),
  },
  /** The ledger kept the wallet's accounts open: one of them holds money. */
  'ledger.wallet_close_refused.v1': {
    aggregateType: 'Wallet',
    data: z.object({
      requestId: id,
      walletId: id,
      reason: z.enum(walletCloseRefusalReasons),
      detail: z.string(),
    }),
  },
  'jars.jar_created.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      name: z.string().min(1),
      kind: z.enum(['INCOME', 'EXPENSE', 'SAVINGS']),
      /** The wallet's currency, so consumers need not have seen wallet.opened first. */
      currency,
      /**
       * An EXPENSE jar's budget: its limit per calendar period (UTC) and whether a spend past it
       * is refused rather than allowed. Null for other kinds. Optional so that events published
       * before it existed still parse: a jar announced without it has no budget to enforce.
       */
      budget: z
        .object({
          limit: minorUnits.regex(/^[1-9]\d*$/, 'a positive amount'),
          period: z.enum(['WEEKLY', 'MONTHLY']),
          blocksOverspend: z.boolean(),
        })
        .nullable()
        .optional(),
    }),
  },
  /**
   * A jar was archived (docs/architecture.md §6): it accepts no more moves. The ledger answers by
   * moving the jar's whole remaining balance back to the wallet's available account and closing
   * the jar's account, in one transaction (a `ledger.posted.v1` with key `jar-archive:<jarId>`
   * when there was money to move).
   */
  'jars.jar_archived.v1': {
    aggregateType: 'Jar',
    data: z.object({ jarId: id, walletId: id, ownerId: id }),
  },
  /** A savings jar's balance first reached its goal's target; once per goal (a changed goal re-arms it). */
  'jars.goal_achieved.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      target: minorUnits,
      currency,
      achievedAt: z.iso.datetime({ offset: true }),
    }),
  },
  /** An expense jar's spending in its current period crossed one of its thresholds; once per threshold and period. */
  'jars.budget_threshold_reached.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      thresholdPercent: z.number().int().min(1).max(1000),
      periodStart: z.iso.datetime({ offset: true }),
      spent: minorUnits,
      limit: minorUnits,
      currency,
    }),
  },
  /**
   * A command to the ledger: move the balance of `from` (a jar account) to `to` (its wallet's
   * available account), as much as there is when the command is applied. With `asOf`, only what
   * the jar held at that moment and has not left it since: money that came in after `asOf` stays
   * (a period end: what was allocated for the new period is not swept back). Answered like a
   * post: `ledger.posted.v1`, or `ledger.rejected.v1` (NOTHING_TO_MOVE when there is nothing to
   * move). The key makes a re-sent sweep return its first result, so nothing moves twice.
   */
  'ledger.sweep.v1': {
    aggregateType: 'LedgerEntry',
    data: z.object({
      idempotencyKey: z.string().min(1).max(200),
      operationId: id.nullable(),
      description: z.string().min(1).max(200),
      from: accountId,
      to: accountId,
      asOf: z.iso.datetime({ offset: true }).optional(),
    }),
  },
  /**
   * A command to the ledger: apply these postings atomically, or refuse. Debited non-external
   * accounts must not go below zero. The idempotency key makes a redelivered or retried command
   * return the original result.
   */
  'ledger.post.v1': {
    aggregateType: 'LedgerEntry',
    data: z.object({
      idempotencyKey: z.string().min(1).max(200),
      operationId: id.nullable(),
      description: z.string().min(1).max(200),
      postings: z.array(posting).min(2),
    }),
  },
  'ledger.posted.v1': {
    aggregateType: 'LedgerEntry',
    data: z.object({
      idempotencyKey: z.string().min(1).max(200),
      operationId: id.nullable(),
      entryId: id,
      /** The entry's global sequence number. */
      sequence: z.string().regex(/^\d+$/),
      /**
       * Each posting with the account's balance right after the entry (`balanceAfter`, absent for
       * external accounts): consumers that track a balance decide from the ledger's own number,
       * whatever order they see entries in.
       */
      postings: z.array(posting.extend({ balanceAfter: minorUnits.nullable().optional() })).min(2),
      /** Wallets whose balance the entry changed (their own or their jars' accounts). */
      walletIds: z.array(id),
    }),
  },
  'ledger.rejected.v1': {
    aggregateType: 'LedgerEntry',
    data: z.object({
      idempotencyKey: z.string().min(1).max(200),
      operationId: id.nullable(),
      reason: z.enum(ledgerRejectionReasons),
      detail: z.string(),
    }),
  },
  /**
   * A money operation reached its final state (docs/architecture.md §5): COMPLETED once the ledger
   * posted its entry, FAILED with a stable code when the ledger refused it or it could not be
   * attempted (RECIPIENT_NOT_FOUND). Emitted once per operation, from the transaction that
   * settles it; again only if `pnpm reconcile` corrects the settlement to the ledger's decision. `amount` is the positive amount moved; for a transfer the counterparty is
   * the recipient's wallet and owner.
   */
  'transactions.operation_settled.v1': {
    aggregateType: 'Operation',
    data: z.object({
      operationId: id,
      ownerId: id,
      walletId: id,
      kind: z.enum(operationKinds),
      status: z.enum(['COMPLETED', 'FAILED']),
      failureCode: z.string().min(1).nullable(),
      amount: minorUnits,
      currency,
      counterpartyWalletId: id.nullable(),
      counterpartyOwnerId: id.nullable(),
      /** The ledger entry of a COMPLETED operation. */
      ledgerEntryId: id.nullable(),
      settledAt: z.iso.datetime({ offset: true }),
    }),
  },
} as const satisfies Record<string, { aggregateType: string; data: z.ZodType }>;

export type EventType = keyof typeof eventCatalog;
export type EventData<T extends EventType> = z.infer<(typeof eventCatalog)[T]['data']>;

export const eventTypes = Object.keys(eventCatalog) as EventType[];

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventCatalog, type);
}
