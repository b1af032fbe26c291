import { ledgerRejectionReasons } from '@walletgraph/events';
import type { Metrics } from '@walletgraph/platform/metrics';
import type { RejectionReason } from './domain/rejection.ts';

/**
 * What a command came to, as far as counting goes: `CommandResult` (commands/command-results.ts)
 * fits it. Its own shape, so that context.ts can name these metrics without importing the
 * journal, which imports context.ts.
 */
export type CountedResult =
  | { status: 'POSTED'; replayed: boolean; entry: { postings: readonly unknown[] } }
  | { status: 'REJECTED'; replayed: boolean; reason: RejectionReason }
  | { status: 'DEFERRED' };

/** What the ledger records of the batches it commits (`walletgraph_ledger_*`). */
export interface LedgerMetrics {
  /**
   * A committed batch of `commands` and what they came to. Only fresh decisions count: a replay
   * wrote nothing, and a deferred command is decided (and counted) on its retry.
   */
  committed(commands: number, results: readonly CountedResult[]): void;
}

/** Commands per applied batch: the ledger's command consumer takes up to 64 at a time. */
const batchBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500];

/** The ledger's metrics, in the process's registry; one child per rejection reason, made once. */
export function ledgerMetrics(metrics: Metrics): LedgerMetrics {
  const entries = metrics.counter({
    name: 'walletgraph_ledger_entries_total',
    help: 'Journal entries the ledger committed.',
  });
  const postings = metrics.counter({
    name: 'walletgraph_ledger_postings_total',
    help: 'Postings of the journal entries the ledger committed.',
  });
  const batchCommands = metrics.histogram({
    name: 'walletgraph_ledger_batch_commands',
    help: 'Commands per batch the ledger applied in one transaction.',
    buckets: batchBuckets,
  });
  const rejections = metrics.counter({
    name: 'walletgraph_ledger_rejections_total',
    help: 'Commands the ledger refused, by stable rejection reason.',
    labelNames: ['reason'],
  });
  const byReason = new Map<RejectionReason, { inc(): void }>(
    ledgerRejectionReasons.map((reason) => [reason, rejections.labels({ reason })]),
  );
  return {
    committed(commands, results) {
      batchCommands.observe(commands);
      let newEntries = 0;
      let newPostings = 0;
      for (const result of results) {
        if (result.status === 'DEFERRED' || result.replayed) continue;
        if (result.status === 'POSTED') {
          newEntries++;
          newPostings += result.entry.postings.length;
        } else byReason.get(result.reason)?.inc();
      }
      if (newEntries > 0) entries.inc(newEntries);
      if (newPostings > 0) postings.inc(newPostings);
    },
  };
}
