/**
 * `pnpm jars:periods [--at <ISO date-time> [--future]]`: runs one round of period processing (Income resets,
 * expense leftovers returned) against the jars database, as the service's schedule does, and
 * prints what it decided. `--at` runs it as of another moment: an operator catching up after an
 * outage, or a test moving to a month end instead of waiting for it. Safe to run beside the
 * service and to repeat: the round takes the same lock, and each move's deterministic key is
 * decided once. The commands go out through the jars outbox, which the running service relays.
 *
 * The database is the one the jars service uses: JARS_DATABASE_URL, else `walletgraph_jars` on
 * DATABASE_URL's server.
 */
import { databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { openDatabase } from '@walletgraph/platform/db/database';
import { createLogger } from '@walletgraph/platform/logger';
import { roundMoment } from '@walletgraph/platform/round-moment';
import * as schema from './db/schema.ts';
import { createPeriodProcessor } from './period-processor.ts';

const at = roundMoment();
const config = loadConfig({ JARS_DATABASE_URL: process.env.JARS_DATABASE_URL });
const url = databaseUrl({ ...config, DATABASE_URL: process.env.DATABASE_URL || undefined }, 'jars');
const logger = createLogger('jars-periods', process.env.LOG_LEVEL ?? 'warn');
const db = await openDatabase({
  name: 'jars',
  schema,
  migrationsFolder: new URL('./db/migrations', import.meta.url).pathname,
  logger,
  url,
});
try {
  const processor = createPeriodProcessor({ db, clock: { now: () => at }, logger });
  const result = await processor.runOnce();
  console.log(
    result.leader
      ? `period moves decided as of ${at.toISOString()}: ${result.decided}`
      : 'another replica is processing periods right now; nothing done',
  );
} finally {
  await db.close();
}
