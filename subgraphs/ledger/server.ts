import { defineSubgraph } from '@walletgraph/platform/subgraph';
import type { LedgerSchema, LedgerServices } from './context.ts';
import * as schema from './db/schema.ts';
import { consumers } from './events.ts';
import { resolvers } from './resolvers.ts';
import { createLedgerServices } from './services.ts';

/**
 * The ledger subgraph, the single source of truth for money: accounts, the append-only journal
 * and balances. Consumes wallet and jar lifecycle events (accounts; an archived jar's money is
 * swept back to available) and `ledger.post.v1` / `ledger.sweep.v1` commands (in batches); emits
 * `ledger.posted.v1` / `ledger.rejected.v1` and `balanceChanged` notices.
 */
export const ledgerSubgraph = defineSubgraph<LedgerSchema, LedgerServices>({
  name: 'ledger',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  services: createLedgerServices,
  consumers,
});
