import type { DatabaseHandle, Schema } from './db/database.ts';
import type { Logger } from './logger.ts';
import { createSleeper } from './outbox/sleeper.ts';

/**
 * Lets a request wait, for a bounded time, until something it started asynchronously is decided
 * (an operation settled by the ledger's answer, an archive request answered). One listener and
 * one re-read loop per waiter serve every waiting request: a NOTIFY on `channel` from the
 * deciding transaction (delivered at its commit), or a new waiter, wakes the loop, which reads
 * all awaited ids that are decided in one query. Notifications are lost while the listening
 * connection is down, so the loop also polls while anyone waits.
 */
export interface CompletionWaiter<Row> {
  /** The row once decided, or null when `timeoutMs` passed first (or the waiter stopped). */
  waitFor(id: string, timeoutMs: number): Promise<Row | null>;
  /** Stops listening; whoever still waits gets null at once. */
  stop(): Promise<void>;
}

export interface CompletionWaiterOptions<S extends Schema, Row> {
  db: DatabaseHandle<S>;
  logger: Logger;
  /** Names the waiter in logs. */
  name: string;
  /** The NOTIFY channel the deciding transactions signal on. */
  channel: string;
  /** The rows among `ids` that are decided (one query); undecided and unknown ids are left out. */
  readDecided(ids: string[]): Promise<readonly Row[]>;
  idOf(row: Row): string;
  /** Re-read interval while someone waits, in case a notification was lost. Default 250 ms. */
  pollIntervalMs?: number;
}

type Resolve<Row> = (row: Row | null) => void;

export async function createCompletionWaiter<S extends Schema, Row>(
  o: CompletionWaiterOptions<S, Row>,
): Promise<CompletionWaiter<Row>> {
  const log = o.logger.child({ component: o.name });
  const pollIntervalMs = o.pollIntervalMs ?? 250;
  const waiting = new Map<string, Set<Resolve<Row>>>();
  const sleeper = createSleeper();
  let looping = false;
  let stopped = false;

  const unlisten = await o.db
    .listen(o.channel, () => sleeper.wake())
    .catch((err: unknown) => {
      log.warn({ err }, 'could not listen for notifications; polling only');
      return null;
    });

  function settle(id: string, row: Row | null) {
    const resolvers = waiting.get(id);
    waiting.delete(id);
    for (const resolve of resolvers ?? []) resolve(row);
  }

  async function readDecided(): Promise<void> {
    const ids = [...waiting.keys()];
    if (ids.length === 0) return;
    for (const row of await o.readDecided(ids)) settle(o.idOf(row), row);
  }

  // One loop at a time, alive only while someone waits: each round re-reads, then sleeps until
  // a notification, a new waiter or the poll interval.
  async function loop(): Promise<void> {
    looping = true;
    try {
      while (!stopped && waiting.size > 0) {
        await readDecided().catch((err: unknown) => log.warn({ err }, 'could not read decisions'));
        if (waiting.size > 0) await sleeper.sleep(pollIntervalMs);
      }
    } finally {
      looping = false;
    }
  }

  return {
    waitFor(id, timeoutMs) {
      if (stopped || timeoutMs <= 0) return Promise.resolve(null);
      return new Promise<Row | null>((resolve) => {
        const timer = setTimeout(() => {
          const resolvers = waiting.get(id);
          resolvers?.delete(done);
          if (resolvers?.size === 0) waiting.delete(id);
          resolve(null);
        }, timeoutMs);
        const done: Resolve<Row> = (row) => {
          clearTimeout(timer);
          resolve(row);
        };
        const resolvers = waiting.get(id) ?? new Set<Resolve<Row>>();
        resolvers.add(done);
        waiting.set(id, resolvers);
        // The first read comes after registering, so a decision that committed before this
        // call is seen too.
        sleeper.wake();
        if (!looping) void loop();
      });
    },
    async stop() {
      stopped = true;
      sleeper.interrupt();
      for (const id of [...waiting.keys()]) settle(id, null);
      await unlisten?.().catch((err: unknown) => log.warn({ err }, 'could not unlisten'));
    },
  };
}
