import type { OperationRow } from '../db/schema.ts';

/** A wallet id as a client sends it, and another one. */
export const wallet = '0196f0a0-0000-7000-8000-000000000001';
export const other = '0196f0a0-0000-7000-8000-000000000002';
/** A jar id as a client sends it, and another one. */
export const jar = '0196f0a0-0000-7000-8000-00000000001a';
export const otherJar = '0196f0a0-0000-7000-8000-00000000001b';

/** A `DepositInput` (or `WithdrawInput`) of 12.50 EUR to `wallet`; `overrides` replace any field. */
export const deposit = (overrides: Record<string, unknown> = {}) => ({
  walletId: wallet,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

/** A `TransferInput` of 5 EUR from `wallet` to `other`; `overrides` replace any field. */
export const transfer = (overrides: Record<string, unknown> = {}) => ({
  fromWalletId: wallet,
  toWalletId: other,
  amount: { amount: '5', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

/** A `JarMoveInput` of 12.50 EUR on `jar`; `overrides` replace any field. */
export const jarMove = (overrides: Record<string, unknown> = {}) => ({
  jarId: jar,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

/** A `MoveBetweenJarsInput` of 12.50 EUR from `jar` to `otherJar`; `overrides` replace any field. */
export const betweenJars = (overrides: Record<string, unknown> = {}) => ({
  fromJarId: jar,
  toJarId: otherJar,
  amount: { amount: '12.50', currency: 'EUR' },
  idempotencyKey: 'k1',
  ...overrides,
});

/** What says which operation a row is; every other field of `operationRow` has a default. */
type OperationIdentity = Pick<
  OperationRow,
  'id' | 'ownerId' | 'walletId' | 'kind' | 'amountMinor' | 'idempotencyKey' | 'requestHash' | 'createdAt'
>;

/**
 * A PENDING operation row in EUR with no counterparty, jar, note or ledger entry yet: what a new
 * deposit is before it settles. `fields` set the rest (a jar, a counterparty, another status).
 */
export function operationRow(fields: OperationIdentity & Partial<OperationRow>): OperationRow {
  return {
    status: 'PENDING',
    failureCode: null,
    currency: 'EUR',
    counterpartyWalletId: null,
    counterpartyOwnerId: null,
    jarId: null,
    counterpartyJarId: null,
    note: null,
    ledgerEntryId: null,
    settledAt: null,
    billerId: null,
    billReference: null,
    holdStatus: null,
    holdExpiresAt: null,
    receipt: null,
    scheduleId: null,
    ...fields,
  };
}
