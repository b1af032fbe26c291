import { uuidv7 } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import { systemClock } from '@walletgraph/platform/clock';
import type { DatabaseHandle, Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Publisher } from '@walletgraph/platform/pubsub';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import {
  createPeriodProcessor,
  type PeriodProcessor,
  type PeriodProcessorOptions,
} from './period-processor.ts';

export type JarsSchema = typeof schema;
/** The database or a transaction on it. */
export type JarsExecutor = Executor<JarsSchema>;

/** The jars subgraph's long-lived services, built once per process. */
export interface JarsServices {
  clock: Clock;
  newId: () => string;
  /** Period ends: Income resets, expense leftovers returned (ARCHITECTURE.md §6). */
  periods: PeriodProcessor;
  /** Live updates to users' subscriptions, published after commit. */
  publisher: Publisher;
  logger: Logger;
}

/** What every jars resolver receives. */
export type JarsContext = RequestContext<JarsSchema, JarsServices>;

/** Overrides for tests; production uses the defaults. */
export interface JarsServicesOptions {
  /** Default: the system clock. Tests move their own instead of waiting. */
  clock?: Clock;
  periods?: Omit<PeriodProcessorOptions, 'db' | 'clock' | 'logger'>;
}

/** Builds the jars services and starts the period processor's schedule (stopped by stopServices). */
export function createJarsServices(
  deps: { db: DatabaseHandle<JarsSchema>; logger: Logger; publisher: Publisher },
  options: JarsServicesOptions = {},
): JarsServices {
  const clock = options.clock ?? systemClock;
  const periods = createPeriodProcessor({ db: deps.db, clock, logger: deps.logger, ...options.periods });
  periods.start();
  return { clock, newId: uuidv7, periods, publisher: deps.publisher, logger: deps.logger };
}
