import type { Event } from '@walletgraph/events';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { groupCommit } from '@walletgraph/platform/group-commit';
import type { Logger } from '@walletgraph/platform/logger';
import { insertAnnounced } from '@walletgraph/platform/outbox/enqueue';
import { sql } from 'drizzle-orm';
import type { IntakeBatches, TransactionsSchema } from './context.ts';
import { type NewOperationRow, operations, type WalletProjectionRow } from './db/schema.ts';
import { walletsByIds } from './projections.ts';

/** Requests per statement at most. */
const BATCH_SIZE = 64;
/** Batches of each kind in flight at once (the pool is shared with the consumers and reads). */
const CONCURRENCY = 2;

interface Waiting<I, R> {
  input: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

interface Insert {
  operation: NewOperationRow;
  events: Event | readonly Event[];
}

export function createIntakeBatches(
  handle: DatabaseHandle<TransactionsSchema>,
  logger: Logger,
): IntakeBatches {
  const { db } = handle;
  const reads = batched<readonly string[], WalletProjectionRow[]>(async (batch) => {
    const rows = await walletsByIds(db).execute({ ids: [...new Set(batch.flat())].join(',') });
    return batch.map((ids) => rows.filter((row) => ids.includes(row.walletId)));
  });

  const inserts = batched<Insert, boolean>(async (batch) => {
    const inserted = await insertAnnounced(
      db,
      sql`${insertJsonRows(
        operations,
        batch.map(({ operation }) => operation),
      )} on conflict (owner_id, idempotency_key) do nothing returning id`,
      batch.map(({ operation, events }) => ({ rowId: operation.id, events })),
    );
    return batch.map(({ operation }) => inserted.has(operation.id));
  }, logger);

  return {
    wallets: (ids) => reads(ids.map((id) => id.toLowerCase())),
    insert: (operation, events) => inserts({ operation, events }),
  };
}

/**
 * `run` for many inputs at once, group-committed. With a logger, a batch that fails is run
 * again input by input, so a statement only one of them breaks fails that one alone; without,
 * every input of the batch gets the error (a read fails for all alike).
 */
function batched<I, R>(run: (inputs: I[]) => Promise<R[]>, logger?: Logger): (input: I) => Promise<R> {
  const settle = async (batch: Waiting<I, R>[]) => {
    try {
      const results = await run(batch.map((w) => w.input));
      for (const [i, w] of batch.entries()) w.resolve(results[i]!);
      return;
    } catch (error) {
      if (!logger || batch.length === 1) {
        for (const w of batch) w.reject(error);
        return;
      }
      logger.warn({ err: error, size: batch.length }, 'intake batch failed; running its requests one by one');
    }
    for (const w of batch) {
      await run([w.input]).then(([result]) => w.resolve(result!), w.reject);
    }
  };
  const batches = groupCommit<Waiting<I, R>>({ size: BATCH_SIZE, concurrency: CONCURRENCY, commit: settle });
  return (input) => {
    const { promise, resolve, reject } = Promise.withResolvers<R>();
    batches.add({ input, resolve, reject });
    return promise;
  };
}
