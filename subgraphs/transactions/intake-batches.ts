import type { Event } from '@walletgraph/events';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { groupCommit } from '@walletgraph/platform/group-commit';
import type { Logger } from '@walletgraph/platform/logger';
import { insertAnnounced } from '@walletgraph/platform/outbox/enqueue';
import { sql } from 'drizzle-orm';
import type { TransactionsSchema } from './context.ts';
import { type NewOperationRow, operations, type WalletProjectionRow } from './db/schema.ts';
import { walletsByIds } from './projections.ts';

/**
 * The statements every operation request makes, shared by the requests of the moment (group
 * commit, `groupCommit`): the wallets they name are read in one statement, and the operations
 * with the events that announce them are inserted in another. Under load a request waits for
 * the batch in flight and goes with the next, so the round trips, commits and NOTIFYs per
 * request fall as the load grows; a lone request goes at once. Each request decides between
 * the two on its own (`requestOperation`), so a batch holds no rules, only statements.
 */
export interface IntakeBatches {
  /** The wallets (of the transactions projection) with these ids that exist. */
  wallets(ids: readonly string[]): Promise<WalletProjectionRow[]>;
  /**
   * Inserts the operation and its events unless its owner's idempotency key already made one
   * (an earlier request, or one in the same batch); whether it was inserted.
   */
  insert(operation: NewOperationRow, events: Event | readonly Event[]): Promise<boolean>;
}

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
