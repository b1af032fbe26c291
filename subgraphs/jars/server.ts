import { defineSubgraph } from '@walletgraph/platform/subgraph';
import type { JarsServices } from './context.ts';
import * as schema from './db/schema.ts';
import { consumers } from './events.ts';
import { resolvers } from './resolvers.ts';
import { createJarsServices } from './services.ts';

/**
 * The jars subgraph (docs/architecture.md §6): jars with goals and budgets, allocation rules, period
 * processing; creates every wallet's Income jar. Emits `jars.*` events and the ledger commands of
 * allocation rules and period moves; consumes wallets, the ledger's entries and completed deposits.
 */
export const jarsSubgraph = defineSubgraph<typeof schema, JarsServices>({
  name: 'jars',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  services: ({ db, logger }) => createJarsServices({ db, logger }),
  consumers,
  async stopServices(services) {
    await services.periods.stop();
  },
});
