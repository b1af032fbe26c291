import type { Clock } from '@walletgraph/platform/clock';
import type { Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';

export type JarsSchema = typeof schema;
/** The database or a transaction on it. */
export type JarsExecutor = Executor<JarsSchema>;

/** The jars subgraph's long-lived services, built once per process (services.ts). */
export interface JarsServices {
  clock: Clock;
  newId: () => string;
  /** Period ends: Income resets, expense leftovers returned (docs/architecture.md §6). */
  periods: PeriodProcessor;
  logger: Logger;
}

/** What every jars resolver receives. */
export type JarsContext = RequestContext<JarsSchema, JarsServices>;

/**
 * The period processor as the rest of the subgraph sees it. Declared here, not beside its
 * implementation: period-processor.ts locks jars with jars.ts, which takes this context, so an
 * interface there would make the imports run in a circle.
 */
export interface PeriodProcessor {
  /** Runs one round now: what the schedule does, and what tests call after moving the clock. */
  runOnce(): Promise<RoundResult>;
  /** Starts the schedule. Idempotent. */
  start(): void;
  /** Stops the schedule, waiting for a running round. */
  stop(): Promise<void>;
}

export interface RoundResult {
  /** False when another replica held the processor's lock: this one did nothing. */
  leader: boolean;
  /** Period moves decided (and their ledger commands sent) in this round. */
  decided: number;
}
