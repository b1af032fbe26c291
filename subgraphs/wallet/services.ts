import { type CompletionWaiter, createCompletionWaiter } from '@walletgraph/platform/completion-waiter';
import type { Config } from '@walletgraph/platform/config';
import type { DatabaseHandle, Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import { and, inArray, ne } from 'drizzle-orm';
import * as schema from './db/schema.ts';

export type WalletSchema = typeof schema;
/** The database or a transaction on it. */
export type WalletExecutor = Executor<WalletSchema>;

/** The NOTIFY channel the transaction deciding an archive request signals on. */
export const ARCHIVE_DECIDED_CHANNEL = 'archive_decided';

export interface WalletServices {
  /** Lets `archiveWallet` wait for the ledger's answer to its request. */
  archives: CompletionWaiter<schema.ArchiveRequestRow>;
  /** Wallets one user may hold (WALLETS_PER_USER). */
  walletsPerUser: number;
}

export type WalletContext = RequestContext<WalletSchema, WalletServices>;

export async function createWalletServices(
  deps: { db: DatabaseHandle<WalletSchema>; logger: Logger; config: Pick<Config, 'WALLETS_PER_USER'> },
  options: { pollIntervalMs?: number } = {},
): Promise<WalletServices> {
  const { archiveRequests } = schema;
  return {
    walletsPerUser: deps.config.WALLETS_PER_USER,
    archives: await createCompletionWaiter({
      db: deps.db,
      logger: deps.logger,
      name: 'archive-waiter',
      channel: ARCHIVE_DECIDED_CHANNEL,
      readDecided: (ids) =>
        deps.db.db
          .select()
          .from(archiveRequests)
          .where(and(inArray(archiveRequests.id, ids), ne(archiveRequests.status, 'PENDING'))),
      idOf: (row) => row.id,
      ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    }),
  };
}
