import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { JarsSchema, JarsServices } from './context.ts';
import { createPeriodProcessor, type PeriodProcessorOptions } from './period-processor.ts';

/** Overrides for tests; production uses the defaults. */
export interface JarsServicesOptions {
  /** Default: the system clock. Tests move their own instead of waiting. */
  clock?: Clock;
  periods?: Omit<PeriodProcessorOptions, 'db' | 'clock' | 'logger'>;
}

/** Builds the jars services and starts the period processor's schedule (stopped by stopServices). */
export function createJarsServices(
  deps: { db: DatabaseHandle<JarsSchema>; logger: Logger },
  options: JarsServicesOptions = {},
): JarsServices {
  const clock = options.clock ?? systemClock;
  const periods = createPeriodProcessor({ db: deps.db, clock, logger: deps.logger, ...options.periods });
  periods.start();
  return { clock, newId: uuidv7, periods, logger: deps.logger };
}
