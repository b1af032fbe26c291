import { defineSubgraph } from '@walletgraph/platform/subgraph';
import type { TransactionsServices } from './context.ts';
import * as schema from './db/schema.ts';
import { consumers } from './events.ts';
import { resolvers } from './resolvers.ts';
import { createTransactionsServices } from './services.ts';

/**
 * The transactions subgraph: money operations (deposit, withdraw, transfer, jar moves),
 * `Query.operation` and `Wallet.operations`; scheduled payments, whose runs its scheduler makes
 * (scheduler.ts). Sends `ledger.post.v1` commands and emits
 * `transactions.operation_settled.v1`; consumes wallets, jars and users' emails (projections)
 * and the ledger's answers. Serves the bill catalog and reference checks from the biller over
 * HTTP, and pays bills through it (the payment worker).
 */
export const transactionsSubgraph = defineSubgraph<typeof schema, TransactionsServices>({
  name: 'transactions',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  async services({ config, db, logger, metrics }) {
    const services = await createTransactionsServices({ config, db, logger, metrics });
    services.scheduler.start();
    return services;
  },
  consumers,
  // Its settlement notices are sent by the settlement consumer after its commit now.
  retiredConsumers: ['transactions.live-updates'],
  async stopServices(services) {
    await services.scheduler.stop();
    await Promise.all([services.settlements.stop(), services.payments.stop()]);
  },
});
