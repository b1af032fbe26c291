import type { ServiceDeps } from '@walletgraph/platform/subgraph';
import type { LedgerSchema, LedgerServices } from './context.ts';
import { ledgerMetrics } from './metrics.ts';

/** The ledger's long-lived services, picked from the platform's shared ones. */
export function createLedgerServices(
  deps: Pick<ServiceDeps<LedgerSchema>, 'logger' | 'metrics'>,
): LedgerServices {
  return { logger: deps.logger, metrics: ledgerMetrics(deps.metrics) };
}
