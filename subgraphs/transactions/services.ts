import { uuidv7 } from '@walletgraph/events';
import type { DatabaseHandle, Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import { createIntakeBatches, type IntakeBatches } from './intake-batches.ts';
import { createSettlementWaiter, type SettlementWaiter } from './settlement-waiter.ts';

export type TransactionsSchema = typeof schema;
/** The database or a transaction on it. */
export type TransactionsExecutor = Executor<TransactionsSchema>;

/** Where the subgraph reads the time; tests pass their own. */
export interface Clock {
  now(): Date;
}

/** The transactions subgraph's long-lived services, built once per process. */
export interface TransactionsServices {
  clock: Clock;
  newId: () => string;
  /** The reads and inserts of operation requests, shared by concurrent requests. */
  intake: IntakeBatches;
  /** Lets a mutation wait for its operation to settle. */
  settlements: SettlementWaiter;
  /** Live updates to users' subscriptions, published after commit. */
  publisher: Publisher;
  /** For the consumers' own warnings (resolvers log through their request's logger). */
  logger: Logger;
}

/** What every transactions resolver receives. */
export type TransactionsContext = RequestContext<TransactionsSchema, TransactionsServices>;

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

export async function createTransactionsServices(
  deps: TransactionsServicesDeps,
  options: TransactionsServicesOptions = {},
): Promise<TransactionsServices> {
  return {
    clock: options.clock ?? { now: () => new Date() },
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
