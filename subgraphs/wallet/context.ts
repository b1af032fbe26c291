import type { CompletionWaiter } from '@walletgraph/platform/completion-waiter';
import type { Executor } from '@walletgraph/platform/db/database';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';

export type WalletSchema = typeof schema;
/** The database or a transaction on it. */
export type WalletExecutor = Executor<WalletSchema>;

/** The wallet subgraph's long-lived services, built once per process (services.ts). */
export interface WalletServices {
  /** Lets `archiveWallet` wait for the ledger's answer to its request. */
  archives: CompletionWaiter<schema.ArchiveRequestRow>;
  /** Wallets one user may hold (WALLETS_PER_USER). */
  walletsPerUser: number;
}

/** What every wallet resolver receives. */
export type WalletContext = RequestContext<WalletSchema, WalletServices>;
