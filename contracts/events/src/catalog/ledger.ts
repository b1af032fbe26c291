import { z } from 'zod';
import {
  accountId,
  id,
  ledgerRejectionReasons,
  minorUnits,
  posting,
  walletCloseRefusalReasons,
} from './fields.ts';

/** The commands the ledger takes (`ledger.post`, `ledger.sweep`: sent by jars and transactions) and the answers it publishes. */
export const ledgerEvents = {
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
   * return the original result. `holdExpiresAt`: when a hold account this command opens should
   * be settled by; `pnpm ledger:check` reports a hold still holding money after it.
   */
  'ledger.post.v1': {
    aggregateType: 'LedgerEntry',
    data: z.object({
      idempotencyKey: z.string().min(1).max(200),
      operationId: id.nullable(),
      description: z.string().min(1).max(200),
      postings: z.array(posting).min(2),
      holdExpiresAt: z.iso.datetime({ offset: true }).optional(),
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
} as const;
