import { type CompletionWaiter, createCompletionWaiter } from '@walletgraph/platform/completion-waiter';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import { and, inArray, ne } from 'drizzle-orm';
import type * as schema from './db/schema.ts';
import { type OperationRow, operations } from './db/schema.ts';

/** The NOTIFY channel the settlement transaction signals on (delivered at its commit). */
export const SETTLED_CHANNEL = 'operation_settled';

/**
 * Lets a mutation wait, for a bounded time, until its operation settles (docs/architecture.md §5):
 * `waitFor` resolves with the operation once it is no longer PENDING, or null when the time ran
 * out. The platform's completion waiter, woken by the settlement's NOTIFY, with a polling fallback.
 */
export type SettlementWaiter = CompletionWaiter<OperationRow>;

export interface SettlementWaiterOptions {
  db: DatabaseHandle<typeof schema>;
  logger: Logger;
  /** Re-read interval while someone waits, in case a notification was lost. Default 250 ms. */
  pollIntervalMs?: number;
}

export function createSettlementWaiter({
  db,
  logger,
  pollIntervalMs,
}: SettlementWaiterOptions): Promise<SettlementWaiter> {
  return createCompletionWaiter({
    db,
    logger,
    name: 'settlement-waiter',
    channel: SETTLED_CHANNEL,
    readDecided: (ids) =>
      db.db
        .select()
        .from(operations)
        .where(and(inArray(operations.id, ids), ne(operations.status, 'PENDING'))),
    idOf: (row) => row.id,
    ...(pollIntervalMs ? { pollIntervalMs } : {}),
  });
}
