import { type OperationKind, operationKinds } from '@walletgraph/events';
import type { Metrics } from '@walletgraph/platform/metrics';
import { type OperationRow, type OperationStatus, operationStatuses } from './db/schema.ts';

/** What the transactions subgraph records of its operations (`walletgraph_transactions_*`). */
export interface TransactionsMetrics {
  /** An operation written: PENDING (sent to the ledger), or already FAILED (refused before it). */
  created(operation: Pick<OperationRow, 'kind' | 'status'>): void;
  /** Operations the ledger's answers settled (committed): their status reached, and created → settled. */
  settled(operations: readonly Pick<OperationRow, 'kind' | 'status' | 'createdAt' | 'settledAt'>[]): void;
}

type Inc = { inc(): void };
type Observe = { observe(value: number): void };

/**
 * The metrics of the transactions subgraph, in the process's registry. Every label child is made
 * up front from the kind and status enums (`status` is the lower-cased status: pending,
 * completed, failed), so recording an operation is a lookup and an update.
 */
export function transactionsMetrics(metrics: Metrics): TransactionsMetrics {
  const operations = metrics.counter({
    name: 'walletgraph_transactions_operations_total',
    help: 'Operations that reached a status (pending when written, then completed or failed), by kind.',
    labelNames: ['kind', 'status'],
  });
  const settlement = metrics.histogram({
    name: 'walletgraph_transactions_settlement_duration_seconds',
    help: 'Time from an operation’s creation to its settlement by the ledger’s answer, by kind.',
    labelNames: ['kind'],
  });
  const reached = new Map<OperationKind, Map<OperationStatus, Inc>>(
    operationKinds.map((kind) => [
      kind,
      new Map(
        operationStatuses.map((status) => [
          status,
          operations.labels({ kind, status: status.toLowerCase() }),
        ]),
      ),
    ]),
  );
  const durations = new Map<OperationKind, Observe>(
    operationKinds.map((kind) => [kind, settlement.labels({ kind })]),
  );
  const count = (kind: OperationKind, status: OperationStatus) => reached.get(kind)?.get(status)?.inc();
  return {
    created(operation) {
      count(operation.kind, operation.status);
    },
    settled(rows) {
      for (const row of rows) {
        count(row.kind, row.status);
        if (row.settledAt) {
          const seconds = (row.settledAt.getTime() - row.createdAt.getTime()) / 1000;
          durations.get(row.kind)?.observe(Math.max(0, seconds));
        }
      }
    },
  };
}
