import type { Clock } from '@walletgraph/platform/clock';
import type { Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import type { IntakeBatches } from './intake-batches.ts';
import type { SettlementWaiter } from './settlement-waiter.ts';

export type TransactionsSchema = typeof schema;
/** The database or a transaction on it. */
export type TransactionsExecutor = Executor<TransactionsSchema>;

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
