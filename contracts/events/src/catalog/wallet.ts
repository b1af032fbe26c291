import { z } from 'zod';
import { currency, id } from './fields.ts';

/** The events the wallet subgraph publishes. */
export const walletEvents = {
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
} as const;
