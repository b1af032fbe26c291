import type { EventData } from '@walletgraph/events';
import type { OperationRow } from '../db/schema.ts';

/** The ledger's answer to an operation's command. */
export type LedgerOutcome = { result: 'posted'; entryId: string } | { result: 'rejected'; reason: string };

/** The final state an operation takes from the ledger's answer. */
export interface Settlement {
  status: 'COMPLETED' | 'FAILED';
  /** The ledger's rejection reason, verbatim: a stable code clients may branch on. */
  failureCode: string | null;
  ledgerEntryId: string | null;
  settledAt: Date;
}

/**
 * How the ledger's answer settles a PENDING operation: posted is COMPLETED, rejected is FAILED
 * with the rejection reason as the failure code (INSUFFICIENT_FUNDS, WALLET_ARCHIVED, …).
 * `at` is when the ledger answered, so a redelivered answer would settle at the same time.
 */
export function settlementFor(outcome: LedgerOutcome, at: Date): Settlement {
  switch (outcome.result) {
    case 'posted':
      return { status: 'COMPLETED', failureCode: null, ledgerEntryId: outcome.entryId, settledAt: at };
    case 'rejected':
      return { status: 'FAILED', failureCode: outcome.reason, ledgerEntryId: null, settledAt: at };
  }
}

/**
 * Whether an answer for an operation that is no longer PENDING contradicts how it settled (a
 * bug somewhere worth a warning), rather than being a harmless repeat.
 */
export function contradicts(settled: Pick<OperationRow, 'status'>, outcome: LedgerOutcome): boolean {
  if (settled.status === 'PENDING') return false;
  return settled.status !== (outcome.result === 'posted' ? 'COMPLETED' : 'FAILED');
}

export type OperationSettled = EventData<'transactions.operation_settled.v1'>;

/** The `transactions.operation_settled.v1` payload of a settled operation row. */
export function operationSettledData(row: OperationRow): OperationSettled {
  if (row.status === 'PENDING' || !row.settledAt) throw new Error(`operation ${row.id} is not settled`);
  return {
    operationId: row.id,
    ownerId: row.ownerId,
    walletId: row.walletId,
    kind: row.kind,
    status: row.status,
    failureCode: row.failureCode,
    amount: row.amountMinor.toString(),
    currency: row.currency,
    counterpartyWalletId: row.counterpartyWalletId,
    counterpartyOwnerId: row.counterpartyOwnerId,
    ledgerEntryId: row.ledgerEntryId,
    settledAt: row.settledAt.toISOString(),
  };
}

/**
 * Who hears that an operation settled (`operationUpdated`): its owner always; the recipient of a
 * transfer too once it COMPLETED (the only state in which they may see it). Each user once, so
 * a transfer between one's own wallets is one notice.
 */
export function settlementAudience(settled: OperationSettled): string[] {
  const audience = [settled.ownerId];
  if (
    settled.kind === 'TRANSFER' &&
    settled.status === 'COMPLETED' &&
    settled.counterpartyOwnerId &&
    settled.counterpartyOwnerId !== settled.ownerId
  ) {
    audience.push(settled.counterpartyOwnerId);
  }
  return audience;
}
