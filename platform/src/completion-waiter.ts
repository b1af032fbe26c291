import { sql } from 'drizzle-orm';
import type { DatabaseHandle, Executor, Schema } from './db/database.ts';
import type { Logger } from './logger.ts';
import { createSleeper } from './outbox/sleeper.ts';

/**
 * Lets a request wait, for a bounded time, until something it started asynchronously is decided
 * (an operation settled by the ledger's answer, an archive request answered).
 *
 * Most waits end without a query. The deciding transaction names what it decided in a NOTIFY
 * (`notifyDecided`, delivered at its commit), and, when it ran in this process, hands the
 * decided rows over after its commit (`decided`). One listener and one loop per waiter serve
 * every waiting request: a notification for an id someone waits for makes the loop read those
 * ids (one query for all of them); ids named in the last seconds' notifications are remembered,
 * so a request that starts waiting just after its decision committed reads it at once. As
 * notifications are lost while the listening connection is down, the loop also polls for every
 * id that has waited longer than the poll interval.
 */
export interface CompletionWaiter<Row> {
  /** The row once decided, or null when `timeoutMs` passed first (or the waiter stopped). */
  waitFor(id: string, timeoutMs: number): Promise<Row | null>;
  /**
   * Rows this process decided, once their transaction committed: whoever waits for them gets
   * them without a read, as does whoever starts waiting in the next seconds.
   */
  decided(rows: readonly Row[]): void;
  /** Stops listening; whoever still waits gets null at once. */
  stop(): Promise<void>;
}

export interface CompletionWaiterOptions<S extends Schema, Row> {
  db: DatabaseHandle<S>;
  logger: Logger;
  /** Names the waiter in logs. */
  name: string;
  /** The NOTIFY channel the deciding transactions signal on (`notifyDecided`). */
  channel: string;
  /** The rows among `ids` that are decided (one query); undecided and unknown ids are left out. */
  readDecided(ids: string[]): Promise<readonly Row[]>;
  idOf(row: Row): string;
  /** How long after a waiter registered (and then again each time) it is polled for, in case its notification was lost. Default 250 ms. */
  pollIntervalMs?: number;
}

/** How long decided ids (and rows handed over) are remembered for waiters that come late. */
const REMEMBER_MS = 10_000;
/** At most this many are remembered; the oldest go first. */
const REMEMBER_MAX = 50_000;
/** Ids per NOTIFY payload: 36 characters and a comma each, well inside Postgres' 8,000 bytes. */
const IDS_PER_NOTICE = 100;

/**
 * Announces, at the commit of `tx`, that `ids` are decided: one statement, one NOTIFY per
 * hundred ids. A waiter reads only the ids someone waits for.
 */
export async function notifyDecided(tx: Executor, channel: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const notices: string[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_NOTICE)
    notices.push(ids.slice(i, i + IDS_PER_NOTICE).join(','));
  await tx.execute(
    sql`select pg_notify(${channel}, notice) from unnest(string_to_array(${notices.join(';')}, ';')) as notice`,
  );
}

type Resolve<Row> = (row: Row | null) => void;

interface Waiting<Row> {
  resolvers: Set<Resolve<Row>>;
  /** When it was last read (or registered): it is polled once the interval has passed. */
  readAt: number;
}

export async function createCompletionWaiter<S extends Schema, Row>(
  options: CompletionWaiterOptions<S, Row>,
): Promise<CompletionWaiter<Row>> {
  const log = options.logger.child({ component: options.name });
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  const waiting = new Map<string, Waiting<Row>>();
  /** Ids decided lately, with the row when this process decided it (null: read it). */
  const remembered = new Map<string, { row: Row | null; at: number }>();
  /** Ids to read in the loop's next round: notified, or decided before their waiter came. */
  const due = new Set<string>();
  let readEveryone = false;
  const sleeper = createSleeper();
  let looping = false;
  let stopped = false;

  function remember(id: string, row: Row | null) {
    const now = Date.now();
    const known = remembered.get(id);
    if (known) remembered.delete(id); // re-inserted at the end: the map stays oldest first
    remembered.set(id, { row: row ?? known?.row ?? null, at: now });
    for (const [oldest, entry] of remembered) {
      if (remembered.size <= REMEMBER_MAX && now - entry.at < REMEMBER_MS) break;
      remembered.delete(oldest);
    }
  }

  function settle(id: string, row: Row | null) {
    const entry = waiting.get(id);
    waiting.delete(id);
    due.delete(id);
    for (const resolve of entry?.resolvers ?? []) resolve(row);
  }

  function onNotify(payload: string) {
    if (payload === '') {
      // A deciding transaction that does not say what it decided: read everyone's.
      readEveryone = true;
    } else {
      for (const id of payload.split(',')) {
        remember(id, null);
        if (waiting.has(id)) due.add(id);
      }
    }
    if (readEveryone || due.size > 0) sleeper.wake();
  }

  const unlisten = await options.db.listen(options.channel, onNotify).catch((err: unknown) => {
    log.warn({ err }, 'could not listen for notifications; polling only');
    return null;
  });

  /** Reads the ids that are due (notified, or waiting longer than the poll interval). */
  async function readRound(): Promise<void> {
    const now = Date.now();
    const ids = new Set(readEveryone ? waiting.keys() : due);
    readEveryone = false;
    due.clear();
    for (const [id, entry] of waiting) {
      if (now - entry.readAt >= pollIntervalMs) ids.add(id);
    }
    const read = [...ids].filter((id) => waiting.has(id));
    if (read.length === 0) return;
    for (const id of read) {
      const entry = waiting.get(id);
      if (entry) entry.readAt = now;
    }
    for (const row of await options.readDecided(read)) settle(options.idOf(row), row);
  }

  // One loop at a time, alive only while someone waits: each round reads what is due, then
  // sleeps until a notification, a new waiter that needs a read, or the poll interval.
  async function loop(): Promise<void> {
    looping = true;
    try {
      while (!stopped && waiting.size > 0) {
        await readRound().catch((err: unknown) => log.warn({ err }, 'could not read decisions'));
        if (waiting.size > 0) await sleeper.sleep(pollIntervalMs);
      }
    } finally {
      looping = false;
    }
  }

  return {
    waitFor(id, timeoutMs) {
      if (stopped || timeoutMs <= 0) return Promise.resolve(null);
      const known = remembered.get(id);
      if (known?.row) return Promise.resolve(known.row);
      return new Promise<Row | null>((resolve) => {
        const timer = setTimeout(() => {
          const entry = waiting.get(id);
          entry?.resolvers.delete(done);
          if (entry?.resolvers.size === 0) waiting.delete(id);
          resolve(null);
        }, timeoutMs);
        const done: Resolve<Row> = (row) => {
          clearTimeout(timer);
          resolve(row);
        };
        const entry = waiting.get(id) ?? { resolvers: new Set<Resolve<Row>>(), readAt: Date.now() };
        entry.resolvers.add(done);
        waiting.set(id, entry);
        // Decided already (notified before this call), or no notifications to wait for: read now.
        if (known || !unlisten) {
          due.add(id);
          sleeper.wake();
        }
        if (!looping) void loop();
      });
    },
    decided(rows) {
      for (const row of rows) {
        const id = options.idOf(row);
        remember(id, row);
        settle(id, row);
      }
    },
    async stop() {
      stopped = true;
      sleeper.interrupt();
      for (const id of [...waiting.keys()]) settle(id, null);
      await unlisten?.().catch((err: unknown) => log.warn({ err }, 'could not unlisten'));
    },
  };
}
