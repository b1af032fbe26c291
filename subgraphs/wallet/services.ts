import { createCompletionWaiter } from '@walletgraph/platform/completion-waiter';
import type { Config } from '@walletgraph/platform/config';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import { and, inArray, ne } from 'drizzle-orm';
import type { WalletSchema, WalletServices } from './context.ts';
import { archiveRequests } from './db/schema.ts';

/** The NOTIFY channel the transaction deciding an archive request signals on. */
export const ARCHIVE_DECIDED_CHANNEL = 'archive_decided';

/** Builds the wallet services; stopServices stops their archive waiter. */
export async function createWalletServices(
  deps: { db: DatabaseHandle<WalletSchema>; logger: Logger; config: Pick<Config, 'WALLETS_PER_USER'> },
  options: { pollIntervalMs?: number } = {},
): Promise<WalletServices> {
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
