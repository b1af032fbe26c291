import type { ledgerRejectionReasons } from '@walletgraph/events';

/** Why a command is refused: a business result, sent back as `ledger.rejected.v1`. */
export type RejectionReason = (typeof ledgerRejectionReasons)[number];
