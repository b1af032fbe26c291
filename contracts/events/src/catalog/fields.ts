// What the payloads of several contexts are made of: ids, currencies, minor units, ledger
// account names and postings, and the enumerations that cross services.

import { z } from 'zod';
import { isAccountName } from '../accounts.ts';

export const id = z.uuid();
export const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be an ISO 4217 code');
/** Integer minor units as a decimal string (JSON numbers cannot carry a bigint). */
export const minorUnits = z.string().regex(/^-?\d{1,30}$/, 'integer minor units as a string');
/** A ledger account id (docs/architecture.md §4), read by the one grammar of account names. */
export const accountId = z.string().refine(isAccountName, 'a ledger account id');
export const posting = z.object({ account: accountId, amount: minorUnits, currency });
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
