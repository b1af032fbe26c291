import { randomUUID } from 'node:crypto';
import type { CounterStore, Hit, WindowLimit } from './store.ts';

export interface MemoryCounterStoreOptions {
  /**
   * Most keys kept; past it the least recently hit key is dropped (its client starts afresh).
   * Default 100 000, a few MB at most.
   */
  maxKeys?: number;
  /** How often, at most, every key is checked and the expired ones dropped. Default 60 000 ms. */
  sweepEveryMs?: number;
}

interface Log {
  windowMs: number;
  /** Oldest first; times from a monotonic clock, so a wall-clock change cannot shift a window. */
  events: Array<{ at: number; id: string }>;
}

/**
 * Counters in this process's memory, for embedded mode (one process, no Redis): the same
 * sliding log and contract as the Redis store. Bounded: a key holds at most `limit` events,
 * keys whose events have all aged out are swept, and the number of keys is capped.
 */
export function createMemoryCounterStore(options: MemoryCounterStoreOptions = {}): CounterStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const sweepEveryMs = options.sweepEveryMs ?? 60_000;
  // Map iteration follows insertion order; re-inserting a key on every hit makes it LRU.
  const logs = new Map<string, Log>();
  let nextSweepAt = 0;

  const prune = (log: Log, now: number) => {
    const firstLive = log.events.findIndex((e) => e.at > now - log.windowMs);
    log.events.splice(0, firstLive === -1 ? log.events.length : firstLive);
  };

  const sweep = (now: number) => {
    nextSweepAt = now + sweepEveryMs;
    for (const [key, log] of logs) {
      prune(log, now);
      if (log.events.length === 0) logs.delete(key);
    }
  };

  return {
    async hit(key, window: WindowLimit): Promise<Hit> {
      const now = performance.now();
      if (now >= nextSweepAt) sweep(now);
      const log = logs.get(key) ?? { windowMs: window.windowMs, events: [] };
      log.windowMs = window.windowMs;
      prune(log, now);
      logs.delete(key);
      logs.set(key, log);
      if (logs.size > maxKeys) logs.delete(logs.keys().next().value!);

      const count = log.events.length;
      if (count < window.limit) {
        const id = randomUUID();
        log.events.push({ at: now, id });
        return { allowed: true, count: count + 1, id };
      }
      const freeing = log.events[count - window.limit]!;
      return { allowed: false, count, retryAfterMs: Math.max(1, freeing.at + window.windowMs - now) };
    },
    async release(key, id) {
      const log = logs.get(key);
      if (!log) return;
      const index = log.events.findIndex((e) => e.id === id);
      if (index !== -1) log.events.splice(index, 1);
    },
  };
}
