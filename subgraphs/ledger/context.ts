import type { Transaction } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import type { LedgerMetrics } from './metrics.ts';

export type LedgerSchema = typeof schema;

/** A transaction on the ledger's database: what every posting, closing and archiving step runs in. */
export type LedgerTx = Transaction<LedgerSchema>;

/** The ledger subgraph's long-lived services. */
export interface LedgerServices {
  logger: Logger;
  /** What the committed batches came to (metrics.ts). */
  metrics: LedgerMetrics;
}

/** What every ledger resolver receives. */
export type LedgerContext = RequestContext<LedgerSchema, LedgerServices>;
