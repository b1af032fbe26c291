import type { Event } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import type { Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type { BillerClient } from './bills/biller-client.ts';
import type { BillerPolicy } from './bills/biller-policy.ts';
import type { PaymentWorker } from './bills/payment-worker.ts';
import type * as schema from './db/schema.ts';
import type { NewOperationRow, WalletProjectionRow } from './db/schema.ts';
import type { SettlementWaiter } from './settlement-waiter.ts';

export type TransactionsSchema = typeof schema;
/** The database or a transaction on it. */
export type TransactionsExecutor = Executor<TransactionsSchema>;

/**
 * The statements every operation request makes, shared by the requests of the moment (group
 * commit, `groupCommit`): the wallets they name are read in one statement, and the operations
 * with the events that announce them are inserted in another. Under load a request waits for
 * the batch in flight and goes with the next, so the round trips, commits and NOTIFYs per
 * request fall as the load grows; a lone request goes at once. Each request decides between
 * the two on its own (`requestOperation`), so a batch holds no rules, only statements.
 */
export interface IntakeBatches {
  /** The wallets (of the transactions projection) with these ids that exist. */
  wallets(ids: readonly string[]): Promise<WalletProjectionRow[]>;
  /**
   * Inserts the operation and its events unless its owner's idempotency key already made one
   * (an earlier request, or one in the same batch); whether it was inserted.
   */
  insert(operation: NewOperationRow, events: Event | readonly Event[]): Promise<boolean>;
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
  /** The biller's catalog and reference checks, over HTTP behind timeout, retry and breaker. */
  biller: BillerClient;
  /** The biller timings in force (`defaultBillerPolicy` unless a test shortened them). */
  billerPolicy: BillerPolicy;
  /** Pays the biller for bill payments whose hold is open. */
  payments: PaymentWorker;
  /** For the consumers' own warnings (resolvers log through their request's logger). */
  logger: Logger;
}

/** What every transactions resolver receives. */
export type TransactionsContext = RequestContext<TransactionsSchema, TransactionsServices>;
