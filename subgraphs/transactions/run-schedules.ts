/**
 * `pnpm schedules:run [--at <ISO date-time> [--future]]`: runs one round of scheduled payments
 * against the transactions database, as the service does every SCHEDULES_INTERVAL_MS, and prints
 * the runs it made. `--at` runs it as of another moment: an operator catching up after an outage,
 * or a test moving to a run date instead of waiting for it. Safe to run beside the service and to
 * repeat: the round takes the same lock, and each run's key (`schedule:<id>:<run date>`) makes
 * its operation once. The ledger commands go out through the transactions outbox, which the
 * running service relays, with the live notices of a run that fails at once.
 *
 * The database is the one the transactions service uses: TRANSACTIONS_DATABASE_URL, else
 * `walletgraph_transactions` on DATABASE_URL's server.
 */
import { databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { openDatabase } from '@walletgraph/platform/db/database';
import { createLogger } from '@walletgraph/platform/logger';
import { createMetrics } from '@walletgraph/platform/metrics';
import { roundMoment } from '@walletgraph/platform/round-moment';
import * as schema from './db/schema.ts';
import { createTransactionsServices } from './services.ts';

const at = roundMoment();
// The service URLs are read apart: this is one process against one database, in neither mode.
const { DATABASE_URL, AMQP_URL: _amqp, REDIS_URL: _redis, ...env } = process.env;
const config = loadConfig(env);
const url = databaseUrl({ ...config, DATABASE_URL: DATABASE_URL || undefined }, 'transactions');
const logger = createLogger('transactions-schedules', process.env.LOG_LEVEL ?? 'warn');
const db = await openDatabase({
  name: 'transactions',
  schema,
  migrationsFolder: new URL('./db/migrations', import.meta.url).pathname,
  logger,
  url,
});
try {
  // The running service's payment worker pays the bills these runs make: none runs here.
  // A one-off process that serves no /metrics: what it records goes nowhere.
  const metrics = createMetrics({ defaultMetrics: false });
  const services = await createTransactionsServices(
    { config, db, logger, metrics },
    { paymentWorker: false },
  );
  try {
    const round = await services.scheduler.runOnce(at);
    if (!round.leader) {
      console.log('another replica is running scheduled payments right now; nothing done');
    } else {
      console.log(`scheduled runs made as of ${at.toISOString()}: ${round.runs.length}`);
      for (const run of round.runs) {
        const outcome = run.failureCode ? `${run.status} ${run.failureCode}` : run.status;
        console.log(`  ${run.idempotencyKey}  operation ${run.operationId ?? '(none)'}  ${outcome}`);
      }
    }
  } finally {
    await services.settlements.stop();
  }
} finally {
  await db.close();
}
