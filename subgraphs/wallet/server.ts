import { defineSubgraph } from '@walletgraph/platform/subgraph';
import type { WalletServices } from './context.ts';
import * as schema from './db/schema.ts';
import { consumers } from './events.ts';
import { resolvers } from './resolvers.ts';
import { createWalletServices } from './services.ts';

/**
 * The wallet subgraph: wallets, `User.wallets`, `User.defaultWallet`; opens default wallets and
 * archives wallets once the ledger has closed their accounts.
 */
export const walletSubgraph = defineSubgraph<typeof schema, WalletServices>({
  name: 'wallet',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  services: ({ db, logger, config }) => createWalletServices({ db, logger, config }),
  consumers,
  async stopServices(services) {
    await services.archives.stop();
  },
});
