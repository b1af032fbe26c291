import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { RequestContext, ServiceDeps } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';

export type LedgerSchema = typeof schema;

/** The ledger subgraph's long-lived services. */
export interface LedgerServices {
  /** Live notices to users, after commit. */
  publisher: Publisher;
  logger: Logger;
}

/** What every ledger resolver receives. */
export type LedgerContext = RequestContext<LedgerSchema, LedgerServices>;

export function createLedgerServices(
  deps: Pick<ServiceDeps<LedgerSchema>, 'publisher' | 'logger'>,
): LedgerServices {
  return { publisher: deps.publisher, logger: deps.logger };
}
