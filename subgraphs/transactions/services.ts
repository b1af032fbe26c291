import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { TransactionsSchema, TransactionsServices } from './context.ts';
import { createIntakeBatches } from './intake-batches.ts';
import { createSettlementWaiter } from './settlement-waiter.ts';

export interface TransactionsServicesDeps {
  db: DatabaseHandle<TransactionsSchema>;
  logger: Logger;
  publisher: Publisher;
}

/** Overrides for tests; production uses the defaults. */
export interface TransactionsServicesOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Settlement re-read interval while a mutation waits; default 250 ms. */
  settlementPollMs?: number;
}

/** Builds the services the resolvers and consumers share (`TransactionsServices`, context.ts). */
export async function createTransactionsServices(
  deps: TransactionsServicesDeps,
  options: TransactionsServicesOptions = {},
): Promise<TransactionsServices> {
  return {
    clock: options.clock ?? systemClock,
    newId: uuidv7,
    intake: createIntakeBatches(deps.db, deps.logger),
    settlements: await createSettlementWaiter({
      db: deps.db,
      logger: deps.logger,
      ...(options.settlementPollMs ? { pollIntervalMs: options.settlementPollMs } : {}),
    }),
    publisher: deps.publisher,
    logger: deps.logger,
  };
}
