/**
 * `pnpm reconcile`: rebuilds the projections derived from ledger events and reports the drift it
 * corrected (ARCHITECTURE.md §2: every balance or status outside the ledger can be rebuilt from its
 * events).
 *
 * 1. transactions (its own database): which operations are PENDING now;
 * 2. ledger (its own database): enqueues its answer again, `ledger.posted.v1` or
 *    `ledger.rejected.v1`, for every key it has decided, into its own outbox, and waits until
 *    the running ledger service's relay has published them;
 * 3. every consumer of those answers is idempotent by content (an operation settles once), so the
 *    replay changes only what a lost answer left behind; transactions (its own database) reports
 *    which of the operations PENDING before are settled now: the drift corrected.
 *
 * The stack must be running (the relays and consumers do the work). Databases as the services use
 * them: <NAME>_DATABASE_URL, else `walletgraph_<name>` on DATABASE_URL's server. Exits 0 with the
 * report, 1 when the replay was not published in time, 2 when it could not run.
 * `RECONCILE_WAIT_MS` (default 30000) bounds each wait.
 */
import { randomUUID } from 'node:crypto';
import * as ledgerSchema from '@walletgraph/ledger/db/schema';
import { awaitPublished, replayLedgerResults } from '@walletgraph/ledger/replay';
import { type Config, databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { connectDatabase } from '@walletgraph/platform/db/connect';
import * as transactionsSchema from '@walletgraph/transactions/db/schema';
import { type OperationsDrift, pendingOperationIds, settledSince } from '@walletgraph/transactions/reconcile';

export interface ReconcileReport {
  replayed: { posted: number; rejected: number };
  published: boolean;
  operations: OperationsDrift;
}

export async function reconcile(
  urls: { ledger: string; transactions: string },
  options: { waitMs?: number } = {},
): Promise<ReconcileReport> {
  const waitMs = options.waitMs ?? 30_000;
  const ledger = connectDatabase(urls.ledger, ledgerSchema);
  const transactions = connectDatabase(urls.transactions, transactionsSchema);
  try {
    const pendingBefore = await pendingOperationIds(transactions.db);
    const replay = await replayLedgerResults(ledger.db, { correlationId: `reconcile-${randomUUID()}` });
    const published = await awaitPublished(ledger.db, replay.lastSeq, { timeoutMs: waitMs });
    const operations = await settledSince(transactions.db, pendingBefore, { timeoutMs: waitMs });
    return { replayed: { posted: replay.posted, rejected: replay.rejected }, published, operations };
  } finally {
    await Promise.all([ledger.close(), transactions.close()]);
  }
}

export function formatReconcileReport(r: ReconcileReport): string {
  const o = r.operations;
  return [
    `ledger answers replayed: ${r.replayed.posted} posted, ${r.replayed.rejected} rejected${r.published ? '' : ' (NOT all published in time)'}`,
    `operations pending before: ${o.pendingBefore}`,
    `operations corrected (settled by the replay): ${o.corrected.length}${o.corrected.length ? ` (${o.corrected.join(', ')})` : ''}`,
    `operations still pending: ${o.stillPending}`,
  ].join('\n');
}

function urlsFrom(env: NodeJS.ProcessEnv): { ledger: string; transactions: string } {
  // DATABASE_URL beside the overrides: loadConfig alone would ask for AMQP_URL and REDIS_URL too.
  const config: Config = loadConfig({
    LEDGER_DATABASE_URL: env.LEDGER_DATABASE_URL,
    TRANSACTIONS_DATABASE_URL: env.TRANSACTIONS_DATABASE_URL,
  });
  const withBase = { ...config, DATABASE_URL: env.DATABASE_URL || undefined };
  return { ledger: databaseUrl(withBase, 'ledger'), transactions: databaseUrl(withBase, 'transactions') };
}

if (import.meta.main) {
  try {
    const waitMs = process.env.RECONCILE_WAIT_MS ? Number(process.env.RECONCILE_WAIT_MS) : undefined;
    const report = await reconcile(urlsFrom(process.env), waitMs ? { waitMs } : {});
    console.log(formatReconcileReport(report));
    process.exitCode = report.published ? 0 : 1;
  } catch (error) {
    console.error(`reconcile could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
