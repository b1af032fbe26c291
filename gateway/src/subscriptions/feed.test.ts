import { EventEmitter } from 'node:events';
import type { FeedEntryMessage, FeedPage } from '@walletgraph/platform/live/feed';
import type { LiveTopic } from '@walletgraph/platform/pubsub';
import { PubSub } from 'graphql-subscriptions';
import { describe, expect, it } from 'vitest';
import { type Feed, type FeedOptions, openFeed, positionOf } from './feed.ts';

/**
 * The gateway's side of the resumable feed, against graphql-subscriptions' in-memory PubSub as the
 * user's channel and an in-memory store standing in for identity's `GET /live-feed` (same paging:
 * the entries of the topic after a position, and `through` how far it considered). The store
 * publishes what it stores, as identity does once committed; a test may store without
 * publishing (a message lost on the channel).
 */

const channel = 'user:u1:feed';
const topic: LiveTopic = 'balanceChanged';

/** What these notices hold: an id to follow each by, and a key some coalesce by. */
type Notice = { id: string; key?: string };

function setUp(options: Partial<FeedOptions<Notice>> = {}) {
  const emitter = new EventEmitter();
  const pubsub = new PubSub({ eventEmitter: emitter });
  const entries: FeedEntryMessage[] = [];
  const reconnected = new Set<() => void>();
  const store = {
    reads: 0,
    /** Runs once a read has taken its snapshot, as if something committed right after it. */
    afterRead: undefined as (() => void) | undefined,
    /** Stores a notice at the next position, without publishing it. */
    append(id: string, extra: { topic?: LiveTopic; key?: string } = {}): FeedEntryMessage {
      const notice = { v: 1, id, ...(extra.key ? { key: extra.key } : {}) };
      const entry = {
        seq: String(entries.length + 1),
        topic: extra.topic ?? topic,
        notice,
      } as FeedEntryMessage;
      entries.push(entry);
      return entry;
    },
    /** Stores a notice and publishes it on the channel. */
    async add(id: string, extra: { topic?: LiveTopic; key?: string } = {}): Promise<void> {
      await pubsub.publish(channel, store.append(id, extra));
    },
    async readPage(after: bigint | null, limit: number): Promise<FeedPage> {
      store.reads++;
      const head = BigInt(entries.length);
      if (after !== null && after > head) throw new Error(`position ${after} is past the head`);
      const page = entries
        .filter((e) => e.topic === topic && BigInt(e.seq) > (after ?? head))
        .slice(0, after === null ? 0 : limit);
      const full = after !== null && page.length === limit;
      const through = full ? page.at(-1)!.seq : String(head);
      const hook = store.afterRead;
      store.afterRead = undefined;
      hook?.();
      return { entries: structuredClone(page), through };
    },
  };
  const open = (more: Partial<FeedOptions<Notice>> = {}) =>
    openFeed<Notice>({
      engine: pubsub,
      channel,
      topic,
      read: (entry) => entry.notice as unknown as Notice,
      accept: () => true,
      readPage: (after, limit) => store.readPage(after, limit),
      after: null,
      capacity: 4,
      onReconnected: (listener) => {
        reconnected.add(listener);
        return () => reconnected.delete(listener);
      },
      settleMs: 10,
      ...options,
      ...more,
    });
  return {
    pubsub,
    store,
    open,
    listeners: () => emitter.listenerCount(channel),
    reconnect: () => {
      for (const listener of reconnected) listener();
    },
    following: () => reconnected.size,
  };
}

/** Takes `count` notices' ids. */
async function take(feed: Feed<Notice>, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const next = await feed.next();
    if (next.done) throw new Error('the feed ended');
    ids.push(next.value.id);
  }
  return ids;
}

/** Every notice before a marker stored and published last, in the order handed out. */
async function drain(store: ReturnType<typeof setUp>['store'], feed: Feed<Notice>): Promise<string[]> {
  await store.add('marker');
  const ids: string[] = [];
  for (;;) {
    const next = await feed.next();
    if (next.done) throw new Error('the feed ended');
    if (next.value.id === 'marker') return ids;
    ids.push(next.value.id);
  }
}

describe('openFeed', () => {
  it('replays the entries after `after`, then goes on live, with no gap and no duplicate between', async () => {
    const { store, open } = setUp();
    for (const id of ['e1', 'e2', 'e3']) store.append(id);
    // Stored right after the first read, before the feed listens: published to no one.
    store.afterRead = () => {
      for (const id of ['b1', 'b2', 'b3']) store.append(id);
    };
    const feed = await open({ after: 2n, capacity: 2 });
    const replayed: Notice[] = [];
    for (let i = 0; i < 4; i++) replayed.push((await feed.next()).value as Notice);
    expect(replayed.map((n) => [n.id, positionOf(n)])).toEqual([
      ['e3', 3n],
      ['b1', 4n],
      ['b2', 5n],
      ['b3', 6n],
    ]);
    // Level with the channel: live notices come without reading the store.
    const reads = store.reads;
    const next = feed.next();
    await store.add('e7');
    expect(((await next).value as Notice).id).toBe('e7');
    expect(await drain(store, feed)).toEqual([]);
    expect(store.reads).toBe(reads);
  });

  it('reads a position skipped on the channel from the store, and hands it out in order', async () => {
    const { store, open } = setUp();
    const feed = await open();
    expect(await drain(store, feed)).toEqual([]);
    store.append('lost');
    await store.add('after-lost');
    expect(await drain(store, feed)).toEqual(['lost', 'after-lost']);
  });

  it('after a reconnection, reads what was published while away, and once more when it settled', async () => {
    const { pubsub, store, open, reconnect } = setUp();
    const feed = await open();
    expect(await drain(store, feed)).toEqual([]);
    store.append('away-1');
    const late = store.append('away-2');
    reconnect();
    expect(await take(feed, 2)).toEqual(['away-1', 'away-2']);
    // A message the store already gave comes late on the channel: it is not handed out twice.
    await pubsub.publish(channel, late);
    // Published while the channel was being subscribed to again: the settled read finds it.
    store.append('resubscribing');
    expect(await take(feed, 1)).toEqual(['resubscribing']);
    expect(await drain(store, feed)).toEqual([]);
  });

  it('reads again after a reconnection that comes while a read is under way', async () => {
    const { store, open, reconnect } = setUp();
    // No settled read in this test: the reconnection's own read must find it.
    const feed = await open({ settleMs: 60_000 });
    expect(await drain(store, feed)).toEqual([]);
    // A read that took its snapshot before the channel was lost, and answers after it is back.
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    const readPage = store.readPage;
    store.readPage = async (after, limit) => {
      const page = await readPage(after, limit);
      store.readPage = readPage;
      await answered;
      return page;
    };
    store.append('lost');
    await store.add('shows-the-hole');
    const next = feed.next();
    // Published while the channel was away, after that read's snapshot.
    store.append('while-away');
    reconnect();
    answer();
    expect(((await next).value as Notice).id).toBe('lost');
    expect(await take(feed, 2)).toEqual(['shows-the-hole', 'while-away']);
  });

  it('moves past entries of other topics, and notices it does not accept, without reading the store', async () => {
    const { store, open } = setUp({ accept: (n) => n.id !== 'not-mine' });
    const feed = await open();
    expect(await drain(store, feed)).toEqual([]);
    const reads = store.reads;
    await store.add('a-jar', { topic: 'jarUpdated' });
    await store.add('not-mine');
    await store.add('mine');
    expect(await drain(store, feed)).toEqual(['mine']);
    expect(store.reads).toBe(reads);
  });

  it('coalesces waiting notices by key when the client falls behind, and stays live', async () => {
    const { store, open } = setUp({ coalesceKey: (n) => n.key ?? null });
    const feed = await open();
    expect(await drain(store, feed)).toEqual([]);
    const reads = store.reads;
    for (const key of ['a', 'b', 'c', 'd']) await store.add(`${key}1`, { key });
    for (let i = 2; i <= 100; i++) await store.add(`a${i}`, { key: 'a' });
    expect(feed.coalesced).toBe(99);
    expect(await take(feed, 4)).toEqual(['b1', 'c1', 'd1', 'a100']);
    expect(await drain(store, feed)).toEqual([]);
    expect(store.reads).toBe(reads);
  });

  it('stops the live flow when the queue is full of notices that cannot coalesce, and reads the rest once the client drains', async () => {
    const { store, open } = setUp({ coalesceKey: (n) => n.key ?? null });
    const feed = await open();
    expect(await drain(store, feed)).toEqual([]);
    const ids = Array.from({ length: 100 }, (_, i) => `op-${i}`);
    for (const id of ids) await store.add(id, id === 'op-50' ? { key: 'a' } : {});
    expect(feed.coalesced).toBe(0);
    expect(await drain(store, feed)).toEqual(ids);
  });

  it('is not wedged by a position the channel showed and the store never had', async () => {
    const { pubsub, store, open } = setUp();
    const feed = await open();
    // Seen while the feed catches up: the store, read after it, still does not reach it.
    store.afterRead = () => void pubsub.publish(channel, { seq: '40', topic, notice: { v: 1, id: 'bogus' } });
    expect(await drain(store, feed)).toEqual([]);
    expect(await drain(store, feed)).toEqual([]);
    // And seen while live: one read, and the feed is level with the channel again.
    await pubsub.publish(channel, { seq: '41', topic, notice: { v: 1, id: 'bogus' } });
    expect(await drain(store, feed)).toEqual([]);
    const reads = store.reads;
    await store.add('real');
    expect(await drain(store, feed)).toEqual(['real']);
    expect(store.reads).toBe(reads);
  });

  it('unsubscribes on return(), ending a pending read and every later one', async () => {
    const { store, open, listeners, following } = setUp();
    const feed = await open();
    const other = await open();
    expect([listeners(), following()]).toEqual([2, 2]);
    expect(await drain(store, feed)).toEqual([]);
    const pending = feed.next();
    expect(await feed.return!()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(listeners()).toBe(1);
    await store.add('late');
    expect(await feed.next()).toEqual({ value: undefined, done: true });
    // The other subscription on the same channel keeps its own listener and its notices.
    expect(await take(other, 2)).toEqual(['marker', 'late']);
    await other.return!();
    expect([listeners(), following()]).toEqual([0, 0]);
  });

  it('ends with the error of a read that fails once started, rejecting the waiting reader', async () => {
    const { store, open, listeners } = setUp();
    const feed = await open();
    store.readPage = async () => {
      throw new Error('identity is down');
    };
    await expect(feed.next()).rejects.toThrow('identity is down');
    await expect(feed.next()).rejects.toThrow('identity is down');
    expect(listeners()).toBe(0);
  });

  it('rejects when its first read does, listening to nothing', async () => {
    const { store, open, listeners } = setUp({ after: 7n });
    await expect(open()).rejects.toThrow('position 7 is past the head');
    expect(store.reads).toBe(1);
    expect(listeners()).toBe(0);
  });
});
