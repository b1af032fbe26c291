/**
 * `pnpm ledger:check`: checks the ledger's invariants (invariants.ts) against its database and
 * prints a report; exits 1 when any is violated, 2 when the check could not run.
 *
 * The database is the one the ledger service uses: LEDGER_DATABASE_URL, else `walletgraph_ledger`
 * on DATABASE_URL's server. Only those two settings are read (the check needs no broker or
 * Redis), and the database is opened as is: never created, never migrated.
 */
import { databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { connectDatabase } from '@walletgraph/platform/db/connect';
import * as schema from '../db/schema.ts';
import { checkLedger, formatReport } from './invariants.ts';

try {
  // loadConfig validates the override; DATABASE_URL is passed beside it because loadConfig would
  // otherwise ask for AMQP_URL and REDIS_URL too (it refuses a half-real stack).
  const config = loadConfig({ LEDGER_DATABASE_URL: process.env.LEDGER_DATABASE_URL });
  const url = databaseUrl({ ...config, DATABASE_URL: process.env.DATABASE_URL || undefined }, 'ledger');
  const connection = connectDatabase(url, schema);
  try {
    const report = await checkLedger(connection.db);
    console.log(formatReport(report));
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    await connection.close();
  }
} catch (error) {
  console.error(`ledger check could not run: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
