import type { Event } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import type { Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type { BillerClient } from './bills/biller-client.ts';
import type { BillerPolicy } from './bills/biller-policy.ts';
import type { PaymentWorker } from './bills/payment-worker.ts';
import type * as schema from './db/schema.ts';
import type { NewOperationRow, OperationStatus, WalletProjectionRow } from './db/schema.ts';
import type { TransactionsMetrics } from './metrics.ts';
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
  /** The biller's catalog and reference checks, over HTTP behind timeout, retry and breaker. */
  biller: BillerClient;
  /** The biller timings in force (`defaultBillerPolicy` unless a test shortened them). */
  billerPolicy: BillerPolicy;
  /** Pays the biller for bill payments whose hold is open. */
  payments: PaymentWorker;
  /** For the consumers' own warnings (resolvers log through their request's logger). */
  logger: Logger;
  /** Makes scheduled payments' runs, a round every SCHEDULES_INTERVAL_MS (scheduler.ts). */
  scheduler: Scheduler;
  /** Failed runs in a row that pause a scheduled payment (SCHEDULE_MAX_FAILURES). */
  scheduleMaxFailures: number;
  /** Operations by status reached, and their settlement latency (metrics.ts). */
  metrics: TransactionsMetrics;
}

/** What every transactions resolver receives. */
export type TransactionsContext = RequestContext<TransactionsSchema, TransactionsServices>;

/** A run the round made (or found refused): what `pnpm schedules:run` prints. */
export interface RunMade {
  scheduleId: string;
  runDate: Date;
  idempotencyKey: string;
  /** Null when the run was refused outright (no operation: `failureCode` says why). */
  operationId: string | null;
  status: OperationStatus;
  failureCode: string | null;
}

export interface ScheduleRound {
  /** False when another replica held the scheduler's lock: this one did nothing. */
  leader: boolean;
  runs: RunMade[];
}

/**
 * The scheduled-payments scheduler as the rest of the subgraph sees it (scheduler.ts; server.ts
 * starts it). Declared here, not beside its implementation: scheduler.ts makes runs through
 * operation-requests.ts, which takes this context, so an interface there would make the imports
 * run in a circle.
 */
export interface Scheduler {
  /** Runs one round as of `at` (default: the clock's now): what the timer does, and `pnpm schedules:run`. */
  runOnce(at?: Date): Promise<ScheduleRound>;
  /** Starts a round every `intervalMs`. Idempotent. */
  start(): void;
  /** Stops the timer, waiting for a running round. */
  stop(): Promise<void>;
}
