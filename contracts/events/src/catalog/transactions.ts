import { z } from 'zod';
import { currency, id, minorUnits, operationKinds } from './fields.ts';

/** The events the transactions subgraph publishes. */
export const transactionsEvents = {
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
} as const;
