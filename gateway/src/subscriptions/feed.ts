import type { FeedEntryMessage, FeedPage } from '@walletgraph/platform/live/feed';
import { readFeedMessage } from '@walletgraph/platform/live/feed';
import type { LiveTopic } from '@walletgraph/platform/pubsub';
import type { PubSubEngine } from 'graphql-subscriptions';

/** Reads a page of the subscriber's feed after a position (null: none, where the feed stands). */
export type ReadPage = (after: bigint | null, limit: number) => Promise<FeedPage>;

export interface FeedOptions<T extends object> {
  engine: PubSubEngine;
  /** The verified subscriber's feed channel (`feedChannel`). */
  channel: string;
  /** The subscription's topic: entries of the others only move the position on. */
  topic: LiveTopic;
  /** The notice a feed entry of this topic carries, or null to skip it (notices.ts). */
  read: (entry: FeedEntryMessage) => T | null;
  /** Notices that pass; an id argument of the subscription narrows with it. */
  accept: (notice: T) => boolean;
  /** The subscriber's feed, narrowed to this subscription's topic and object (identity's `GET /live-feed`). */
  readPage: ReadPage;
  /** Where to start: after this position (`after:`), or from now when null. */
  after: bigint | null;
  /**
   * Notices waiting for a client that reads slower than they arrive, at most. Past it, a notice
   * with a coalescing key replaces the waiting one with the same key (a balance: only the latest
   * matters); one without stops the live flow, and the feed reads on from the store once the
   * client has caught up: nothing is lost, only delayed.
   */
  capacity: number;
  coalesceKey?: (notice: T) => string | null;
  /** Registers a call for each time the channel's connection came back after a loss (pubsub.ts). */
  onReconnected?: (listener: () => void) => () => void;
  /** How long after a reconnection to read once more, for what was published while it resubscribed. Default 1 s. */
  settleMs?: number;
}

export interface Feed<T> extends AsyncIterableIterator<T> {
  /** Notices coalesced away because the client fell behind (each replaced by a later one). */
  readonly coalesced: number;
}

/** Each notice's position in its user's feed, by the notice object a feed handed out. */
const positions = new WeakMap<object, bigint>();

/** The feed position of a notice a feed handed out (its `extensions.cursor`), if it has one. */
export function positionOf(notice: unknown): bigint | undefined {
  return typeof notice === 'object' && notice !== null ? positions.get(notice) : undefined;
}

/**
 * A subscription's notices from the subscriber's feed (docs/architecture.md §8): first those after
 * `after`, read from the store page by page as the client takes them, then live ones off the
 * channel, with no gap and no duplicate between the two. Every entry of the user's feed has the
 * next position, so the feed knows where it stands: a live entry that skips positions (one lost
 * while Redis was away, or published out of order by two writers), a reconnection to Redis, or a
 * client too slow for its queue sends it back to the store from the last position it accounted
 * for, until it is level with the channel again. The queue is bounded, so a slow client costs a
 * fixed amount of memory; graphql-ws pulls the next notice only once the previous one was sent.
 *
 * Rejects when the first read does (CURSOR_EXPIRED, a cursor not the subscriber's); a read that
 * fails later ends the iteration with its error.
 */
export async function openFeed<T extends object>(options: FeedOptions<T>): Promise<Feed<T>> {
  const { capacity } = options;
  const pageSize = Math.min(Math.max(capacity, 1), 500);
  const queue: T[] = [];
  const waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void }[] = [];
  let coalesced = 0;
  let done = false;
  let failure: unknown = null;
  /** The last position accounted for: delivered, queued, or skipped as not this subscription's. */
  let position = 0n;
  /** Live entries are set aside (the store has them) until the feed is level with the channel. */
  let behind = true;
  /** The highest position seen on the channel while behind: the store is read until past it. */
  let seenLive = 0n;
  /** Reads of the store started so far, and how many had started when `seenLive` was seen. */
  let reads = 0;
  let seenAtRead = 0;
  /** Reads started when the store was last asked for afresh: none of them can level the feed. */
  let readAfter = 0;
  let reading = false;

  const item = (entry: FeedEntryMessage): T | null => {
    if (entry.topic !== options.topic) return null;
    const notice = options.read(entry);
    if (notice === null || !options.accept(notice)) return null;
    positions.set(notice, BigInt(entry.seq));
    return notice;
  };

  const hand = (notice: T) => {
    const next = waiting.shift();
    if (next) next.resolve({ value: notice, done: false });
    else queue.push(notice);
  };

  function onMessage(message: unknown): void {
    if (done) return;
    const entry = readFeedMessage(message);
    if (!entry) return;
    const seq = BigInt(entry.seq);
    if (behind) {
      see(seq);
      return;
    }
    if (seq <= position) return;
    if (seq > position + 1n) {
      fallBehind(seq);
      return;
    }
    const notice = item(entry);
    if (notice === null) {
      position = seq;
      return;
    }
    if (waiting.length === 0 && queue.length >= capacity) {
      const key = options.coalesceKey?.(notice) ?? null;
      const same = key === null ? -1 : queue.findIndex((n) => options.coalesceKey?.(n) === key);
      if (same === -1) {
        // Nothing to coalesce: the store keeps it for when the client has caught up.
        fallBehind(seq);
        return;
      }
      queue.splice(same, 1);
      coalesced++;
    }
    position = seq;
    hand(notice);
  }

  function see(seq: bigint): void {
    if (seq <= seenLive) return;
    seenLive = seq;
    seenAtRead = reads;
  }

  function fallBehind(seen: bigint): void {
    behind = true;
    see(seen);
    pump();
  }

  /**
   * Back to the store with a read that starts from now (the channel was just listened to, or
   * again): a read under way may have taken its snapshot before what it must now find.
   */
  function readAgain(): void {
    readAfter = reads;
    fallBehind(0n);
  }

  /** Reads from the store while a reader waits and the feed is behind. */
  function pump(): void {
    if (reading || done || !behind || waiting.length === 0 || queue.length > 0) return;
    reading = true;
    void catchUp().finally(() => {
      reading = false;
      pump();
    });
  }

  async function catchUp(): Promise<void> {
    try {
      const read = ++reads;
      const page = await options.readPage(position, pageSize);
      if (done) return;
      accept(page, read);
    } catch (error) {
      fail(error);
    }
  }

  /** Takes page number `read` read after `position`: its matching entries, then where it leaves the feed. */
  function accept(page: FeedPage, read: number): void {
    for (const entry of page.entries) {
      const notice = item(entry);
      if (notice) hand(notice);
    }
    const through = BigInt(page.through);
    if (through > position) position = through;
    if (page.entries.length === pageSize || read <= readAfter) return;
    // Level once a page is not full and nothing newer went by on the channel meanwhile. A
    // position the channel showed before this read began and that it still does not reach was
    // never stored (a feed lost with identity's database): the store is the truth.
    if (seenLive <= position || read > seenAtRead) {
      seenLive = position;
      behind = false;
    }
  }

  function fail(error: unknown): void {
    failure = error;
    for (const next of waiting.splice(0)) next.reject(error);
    void finish();
  }

  // The first read says where the subscription starts (and refuses a cursor the feed no longer
  // has) before anything is listened to; what was stored between it and the channel's
  // subscription is read once the channel is listened to, so the subscription misses nothing
  // from its first read on.
  const first = ++reads;
  accept(await options.readPage(options.after, options.after === null ? 1 : pageSize), first);
  const subscription = await options.engine.subscribe(options.channel, onMessage, {});
  readAgain();

  let settle: NodeJS.Timeout | undefined;
  const stopFollowing = options.onReconnected?.(() => {
    readAgain();
    clearTimeout(settle);
    settle = setTimeout(readAgain, options.settleMs ?? 1_000);
    settle.unref();
  });

  async function finish(): Promise<IteratorResult<T>> {
    if (!done) {
      done = true;
      queue.length = 0;
      for (const next of waiting.splice(0)) next.resolve({ value: undefined, done: true });
      clearTimeout(settle);
      stopFollowing?.();
      options.engine.unsubscribe(subscription);
    }
    return { value: undefined, done: true };
  }

  const feed: Feed<T> = {
    get coalesced() {
      return coalesced;
    },
    next() {
      const notice = queue.shift();
      if (notice) return Promise.resolve({ value: notice, done: false });
      if (failure !== null) return Promise.reject(failure);
      if (done) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        pump();
      });
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
