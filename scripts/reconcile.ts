/**
 * `pnpm reconcile`: rebuilds the projections derived from ledger events and reports the drift it
 * corrected (docs/architecture.md §2: every balance or status outside the ledger can be rebuilt from its
 * events).
 *
 * 1. transactions (its own database): which operations are PENDING now;
 * 2. ledger (its own database): enqueues its answer again, `ledger.posted.v1` or
 *    `ledger.rejected.v1`, for every key it has decided, into its own outbox, and waits until
 *    the running ledger service's relay has published them;
 * 3. every consumer of those answers is idempotent by content (an operation settles once, a jar
 *    counts an entry once), so the replay changes only what a lost answer left behind;
 *    transactions (its own database) reports which of the operations PENDING before are settled
 *    now: the drift corrected;
 * 4. transactions: every settled operation that disagrees with the ledger's decision for its
 *    command (COMPLETED where the ledger refused, FAILED where it posted, another entry) is
 *    corrected to the ledger's decision, and listed; the users concerned are told
 *    (`operationUpdated`) through their live feed, as for any settlement;
 * 5. jars: each jar's projected balance is compared with its ledger account, before the replay
 *    and once the replayed entries have been projected; what differs is listed;
 * 6. wallet: every archive request still PENDING is sent to the ledger again (an answer lost
 *    leaves it waiting forever), and those decided by the time the wait ends are listed.
 *
 * The stack must be running (the relays and consumers do the work). Databases as the services use
 * them: <NAME>_DATABASE_URL, else `walletgraph_<name>` on DATABASE_URL's server. Exits 0 with the
 * report, 1 when the replay was not published in time or a jar still disagrees with the ledger,
 * 2 when it could not run.
 * `RECONCILE_WAIT_MS` (default 30000) bounds each wait.
 */
import { randomUUID } from 'node:crypto';
import * as jarsSchema from '@walletgraph/jars/db/schema';
import { type JarDrift, jarDrift, projectedJarBalances } from '@walletgraph/jars/reconcile';
import * as ledgerSchema from '@walletgraph/ledger/db/schema';
import { ledgerTruth } from '@walletgraph/ledger/operator/reconcile-truth';
import { awaitPublished, replayLedgerResults } from '@walletgraph/ledger/operator/replay-results';
import { type Config, databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { connectDatabase } from '@walletgraph/platform/db/connect';
import { pollUntilQuiet } from '@walletgraph/platform/poll';
import * as transactionsSchema from '@walletgraph/transactions/db/schema';
import {
  correctSettledOperations,
  type OperationCorrection,
  type OperationsDrift,
  pendingOperationIds,
  settledSince,
} from '@walletgraph/transactions/reconcile';
import * as walletSchema from '@walletgraph/wallet/db/schema';
import { decidedArchiveRequests, resendPendingArchiveRequests } from '@walletgraph/wallet/reconcile';

export interface ReconcileReport {
  replayed: { posted: number; rejected: number };
  published: boolean;
  operations: OperationsDrift;
  /** Settled operations corrected to the ledger's decision. */
  corrected: OperationCorrection[];
  jars: { before: JarDrift[]; after: JarDrift[] };
  /** Archive requests that were PENDING and asked again, and those of them decided now. */
  archives: { pending: string[]; decided: string[] };
}

type Urls = Record<'ledger' | 'transactions' | 'jars' | 'wallet', string>;

/** Runs every reconcile step against the services' databases (the stack must be running) and reports. */
export async function reconcile(urls: Urls, options: { waitMs?: number } = {}): Promise<ReconcileReport> {
  const waitMs = options.waitMs ?? 30_000;
  const ledger = connectDatabase(urls.ledger, ledgerSchema);
  const transactions = connectDatabase(urls.transactions, transactionsSchema);
  const jars = connectDatabase(urls.jars, jarsSchema);
  const wallet = connectDatabase(urls.wallet, walletSchema);
  const jarsAgainstLedger = async () =>
    jarDrift(await projectedJarBalances(jars.db), (await ledgerTruth(ledger.db)).jarBalances);
  try {
    const pendingBefore = await pendingOperationIds(transactions.db);
    const jarsBefore = await jarsAgainstLedger();
    const meta = { correlationId: `reconcile-${randomUUID()}` };
    const pendingArchives = await resendPendingArchiveRequests(wallet.db, meta);
    const replay = await replayLedgerResults(ledger.db, meta);
    const published = await awaitPublished(ledger.db, replay.lastSeq, { timeoutMs: waitMs });
    const operations = await settledSince(transactions.db, pendingBefore, { timeoutMs: waitMs });
    const corrected = await correctSettledOperations(
      transactions.db,
      (await ledgerTruth(ledger.db)).operationOutcomes,
      meta,
    );
    const jarsAfter = await pollUntilQuiet(jarsAgainstLedger, (drift) => drift.length === 0, {
      timeoutMs: waitMs,
    });
    const decidedArchives = await pollUntilQuiet(
      () => decidedArchiveRequests(wallet.db, pendingArchives),
      (decided) => decided.length === pendingArchives.length,
      { timeoutMs: waitMs },
    );
    return {
      replayed: { posted: replay.posted, rejected: replay.rejected },
      published,
      operations,
      corrected,
      jars: { before: jarsBefore, after: jarsAfter },
      archives: { pending: pendingArchives, decided: decidedArchives },
    };
  } finally {
    await Promise.all([ledger.close(), transactions.close(), jars.close(), wallet.close()]);
  }
}

/** The report as the operator reads it, one finding per line. */
export function formatReconcileReport(r: ReconcileReport): string {
  const o = r.operations;
  return [
    `ledger answers replayed: ${r.replayed.posted} posted, ${r.replayed.rejected} rejected${r.published ? '' : ' (NOT all published in time)'}`,
    `operations pending before: ${o.pendingBefore}`,
    `operations corrected (settled by the replay): ${o.corrected.length}${o.corrected.length ? ` (${o.corrected.join(', ')})` : ''}`,
    `operations still pending: ${o.stillPending}`,
    `settled operations corrected to the ledger's decision: ${r.corrected.length}${r.corrected
      .map(
        (c) =>
          `\n  ${c.operationId}: ${c.was.status} ${c.was.failureCode ?? ''} -> ${c.now.status} ${c.now.failureCode ?? ''}`,
      )
      .join('')}`,
    `archive requests pending and asked again: ${r.archives.pending.length}, decided since: ${r.archives.decided.length}`,
    `jars differing from the ledger before: ${r.jars.before.length}`,
    `jars differing from the ledger after: ${r.jars.after.length}${r.jars.after
      .map((d) => `\n  ${d.jarId}: projected ${d.projected}, ledger ${d.ledger}`)
      .join('')}`,
  ].join('\n');
}

function urlsFrom(env: NodeJS.ProcessEnv): Urls {
  // DATABASE_URL beside the overrides: loadConfig alone would ask for AMQP_URL and REDIS_URL too.
  const config: Config = loadConfig({
    LEDGER_DATABASE_URL: env.LEDGER_DATABASE_URL,
    TRANSACTIONS_DATABASE_URL: env.TRANSACTIONS_DATABASE_URL,
    JARS_DATABASE_URL: env.JARS_DATABASE_URL,
    WALLET_DATABASE_URL: env.WALLET_DATABASE_URL,
  });
  const withBase = { ...config, DATABASE_URL: env.DATABASE_URL || undefined };
  return {
    ledger: databaseUrl(withBase, 'ledger'),
    transactions: databaseUrl(withBase, 'transactions'),
    jars: databaseUrl(withBase, 'jars'),
    wallet: databaseUrl(withBase, 'wallet'),
  };
}

if (import.meta.main) {
  try {
    const waitMs = process.env.RECONCILE_WAIT_MS ? Number(process.env.RECONCILE_WAIT_MS) : undefined;
    const report = await reconcile(urlsFrom(process.env), waitMs ? { waitMs } : {});
    console.log(formatReconcileReport(report));
    process.exitCode = report.published && report.jars.after.length === 0 ? 0 : 1;
  } catch (error) {
    console.error(`reconcile could not run: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
