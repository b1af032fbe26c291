import type { PubSubEngine } from 'graphql-subscriptions';

export interface FeedOptions<T> {
  engine: PubSubEngine;
  /** The verified subscriber's channel (`user:<id>:<topic>`). */
  channel: string;
  /** The notice a message on the channel carries, or null to drop the message (notices.ts). */
  read: (message: unknown) => T | null;
  /** Notices that pass; an id argument of the subscription narrows with it. */
  accept: (notice: T) => boolean;
  /**
   * Notices waiting for a client that reads slower than they arrive, at most. Past it, a notice
   * with a coalescing key replaces the waiting one with the same key (a balance: only the latest
   * matters), and otherwise the oldest waiting notice is dropped.
   */
  capacity: number;
  coalesceKey?: (notice: T) => string | null;
}

export interface Feed<T> extends AsyncIterableIterator<T> {
  /** Notices dropped or coalesced away because the client fell behind. */
  readonly dropped: number;
}

/**
 * A subscription's notices as an async iterator with a bounded queue, so a slow client costs a
 * fixed amount of memory however fast events come (graphql-ws pulls the next notice only once
 * the previous message was handed to the socket). Unsubscribes from the engine when the
 * iteration ends (client complete, socket close, server dispose).
 */
export async function openFeed<T>(options: FeedOptions<T>): Promise<Feed<T>> {
  const queue: T[] = [];
  const waiting: ((result: IteratorResult<T>) => void)[] = [];
  let dropped = 0;
  let done = false;

  function push(message: unknown): void {
    if (done) return;
    const notice = options.read(message);
    if (notice === null || !options.accept(notice)) return;
    const next = waiting.shift();
    if (next) {
      next({ value: notice, done: false });
      return;
    }
    if (queue.length >= options.capacity) {
      const key = options.coalesceKey?.(notice) ?? null;
      const same = key === null ? -1 : queue.findIndex((n) => options.coalesceKey?.(n) === key);
      queue.splice(Math.max(same, 0), 1);
      dropped++;
    }
    queue.push(notice);
  }

  const subscription = await options.engine.subscribe(options.channel, push, {});

  async function finish(): Promise<IteratorResult<T>> {
    if (!done) {
      done = true;
      queue.length = 0;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
      options.engine.unsubscribe(subscription);
    }
    return { value: undefined, done: true };
  }

  const feed: Feed<T> = {
    get dropped() {
      return dropped;
    },
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      const notice = queue.shift();
      if (notice) return Promise.resolve({ value: notice, done: false });
      return new Promise((resolve) => waiting.push(resolve));
    },
    return: finish,
    throw: async (error) => {
      await finish();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return feed;
    },
  };
  return feed;
}
