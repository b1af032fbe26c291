import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import { billerUrl, type Config } from '@walletgraph/platform/config';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Metrics } from '@walletgraph/platform/metrics';
import { createBillerClient } from './bills/biller-client.ts';
import { type BillerPolicy, defaultBillerPolicy } from './bills/biller-policy.ts';
import { createPaymentWorker } from './bills/payment-worker.ts';
import type { TransactionsSchema, TransactionsServices } from './context.ts';
import { createIntakeBatches } from './intake-batches.ts';
import { transactionsMetrics } from './metrics.ts';
import { createScheduler } from './scheduler.ts';
import { createSettlementWaiter } from './settlement-waiter.ts';

export interface TransactionsServicesDeps {
  config: Config;
  db: DatabaseHandle<TransactionsSchema>;
  logger: Logger;
  /** The process's metrics registry. */
  metrics: Metrics;
}

/** Overrides for tests; production uses the defaults. */
export interface TransactionsServicesOptions {
  /** Default: the system clock. */
  clock?: Clock;
  /** Settlement re-read interval while a mutation waits; default 250 ms. */
  settlementPollMs?: number;
  /** Shorter biller timings for tests; default `defaultBillerPolicy` (bills/biller-policy.ts). */
  billerPolicy?: Partial<BillerPolicy>;
  /** Whether the payment worker runs its loop; default true (tests may drive `round()` by hand). */
  paymentWorker?: boolean;
}

/**
 * Builds the services the resolvers and consumers share (`TransactionsServices`, context.ts) and
 * starts the payment worker (stopped by `stopServices`). The scheduler's rounds are the server's
 * to start (server.ts): `pnpm schedules:run` builds these services to run one round by hand.
 */
export async function createTransactionsServices(
  deps: TransactionsServicesDeps,
  options: TransactionsServicesOptions = {},
): Promise<TransactionsServices> {
  const clock = options.clock ?? systemClock;
  const { config } = deps;
  const billerPolicy = { ...defaultBillerPolicy, ...options.billerPolicy };
  const biller = createBillerClient({ baseUrl: billerUrl(config), clock, policy: billerPolicy });
  const payments = createPaymentWorker({
    db: deps.db,
    biller,
    clock,
    logger: deps.logger,
    policy: billerPolicy,
  });
  if (options.paymentWorker !== false) await payments.start();
  const services: TransactionsServices = {
    clock,
    newId: uuidv7,
    intake: createIntakeBatches(deps.db, deps.logger),
    settlements: await createSettlementWaiter({
      db: deps.db,
      logger: deps.logger,
      ...(options.settlementPollMs ? { pollIntervalMs: options.settlementPollMs } : {}),
    }),
    biller,
    billerPolicy,
    payments,
    logger: deps.logger,
    scheduler: createScheduler({
      db: deps.db,
      services: () => services,
      logger: deps.logger,
      intervalMs: config.SCHEDULES_INTERVAL_MS,
      maxFailures: config.SCHEDULE_MAX_FAILURES,
    }),
    scheduleMaxFailures: config.SCHEDULE_MAX_FAILURES,
    metrics: transactionsMetrics(deps.metrics),
  };
  return services;
}
