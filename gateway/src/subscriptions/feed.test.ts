import { EventEmitter } from 'node:events';
import { PubSub } from 'graphql-subscriptions';
import { describe, expect, it } from 'vitest';
import { type Feed, type FeedOptions, openFeed } from './feed.ts';

/**
 * The per-subscription queue, against graphql-subscriptions' in-memory PubSub (what embedded mode
 * runs): its emitter is ours, so a test can see whether the feed is still listening.
 */

const channel = 'user:u1:balanceChanged';

function engine() {
  const emitter = new EventEmitter();
  return { pubsub: new PubSub({ eventEmitter: emitter }), listeners: () => emitter.listenerCount(channel) };
}

/** The queue does not care what a notice holds: these are loose records, read as they come. */
type Notice = Record<string, string | undefined>;

const byWallet = (n: Notice) => n.walletId ?? null;

async function open(pubsub: PubSub, options: Partial<FeedOptions<Notice>> = {}): Promise<Feed<Notice>> {
  return openFeed<Notice>({
    engine: pubsub,
    channel,
    read: (message) => message as Notice,
    accept: () => true,
    capacity: 4,
    ...options,
  });
}

/** Reads `count` notices that are already waiting. */
async function take(feed: Feed<Notice>, count: number): Promise<Notice[]> {
  const notices: Notice[] = [];
  for (let i = 0; i < count; i++) {
    const next = await feed.next();
    if (next.done) throw new Error('the feed ended');
    notices.push(next.value);
  }
  return notices;
}

/** Reads what is waiting, proved complete by a marker published last: everything before it. */
async function drain(pubsub: PubSub, feed: Feed<Notice>): Promise<Notice[]> {
  await pubsub.publish(channel, { walletId: 'marker', entryId: 'marker' });
  const notices: Notice[] = [];
  for (;;) {
    const next = await feed.next();
    if (next.done) throw new Error('the feed ended');
    if (next.value.walletId === 'marker') return notices;
    notices.push(next.value);
  }
}

describe('openFeed', () => {
  it('hands a notice straight to a reader that is waiting for one', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub);
    const next = feed.next();
    await pubsub.publish(channel, { walletId: 'w1', entryId: 'e1' });
    expect(await next).toEqual({ value: { walletId: 'w1', entryId: 'e1' }, done: false });
    expect(feed.dropped).toBe(0);
  });

  it('holds at most `capacity` notices for a client that reads nothing, dropping the oldest, and counts them', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub, { capacity: 8 });
    for (let i = 0; i < 1_000; i++) await pubsub.publish(channel, { id: `op-${i}` });
    expect(feed.dropped).toBe(992);
    // One more pushes out the oldest waiting one.
    await pubsub.publish(channel, { id: 'op-1000' });
    expect(feed.dropped).toBe(993);
    expect(await take(feed, 8)).toEqual(Array.from({ length: 8 }, (_, i) => ({ id: `op-${993 + i}` })));
    expect(await drain(pubsub, feed)).toEqual([]);
  });

  it('coalesces balance notices of one wallet to the latest and keeps the other wallets’ waiting ones', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub, { capacity: 4, coalesceKey: byWallet });
    for (const wallet of ['a', 'b', 'c', 'd'])
      await pubsub.publish(channel, { walletId: wallet, entryId: '1' });
    for (let i = 2; i <= 1_000; i++) await pubsub.publish(channel, { walletId: 'a', entryId: String(i) });
    expect(feed.dropped).toBe(999);
    expect(await take(feed, 4)).toEqual([
      { walletId: 'b', entryId: '1' },
      { walletId: 'c', entryId: '1' },
      { walletId: 'd', entryId: '1' },
      { walletId: 'a', entryId: '1000' },
    ]);
    expect(await drain(pubsub, feed)).toEqual([]);
  });

  it('drops the oldest waiting notice when the new one’s wallet is not waiting', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub, { capacity: 4, coalesceKey: byWallet });
    for (let i = 0; i < 1_000; i++) await pubsub.publish(channel, { walletId: `w${i}`, entryId: '1' });
    expect(feed.dropped).toBe(996);
    expect((await take(feed, 4)).map((n) => n.walletId)).toEqual(['w996', 'w997', 'w998', 'w999']);
    expect(await drain(pubsub, feed)).toEqual([]);
  });

  it('queues nothing while the client keeps up', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub, { capacity: 2, coalesceKey: byWallet });
    for (let i = 0; i < 100; i++) {
      await pubsub.publish(channel, { walletId: 'a', entryId: String(i) });
      expect(await take(feed, 1)).toEqual([{ walletId: 'a', entryId: String(i) }]);
    }
    expect(feed.dropped).toBe(0);
  });

  it('passes only the notices `accept` lets through, and does not count the others as dropped', async () => {
    const { pubsub } = engine();
    const feed = await open(pubsub, { capacity: 4, accept: (n) => n.walletId === 'mine' });
    for (let i = 0; i < 10; i++) {
      await pubsub.publish(channel, { walletId: 'other', entryId: String(i) });
      if (i % 5 === 0) await pubsub.publish(channel, { walletId: 'mine', entryId: String(i) });
    }
    expect(await take(feed, 2)).toEqual([
      { walletId: 'mine', entryId: '0' },
      { walletId: 'mine', entryId: '5' },
    ]);
    expect(feed.dropped).toBe(0);
  });

  it('unsubscribes from the engine on return(), ending a pending read and every later one', async () => {
    const { pubsub, listeners } = engine();
    const feed = await open(pubsub);
    expect(listeners()).toBe(1);
    await pubsub.publish(channel, { walletId: 'w1', entryId: 'waiting' });
    expect(await take(feed, 1)).toEqual([{ walletId: 'w1', entryId: 'waiting' }]);
    const pending = feed.next();
    expect(await feed.return!()).toEqual({ value: undefined, done: true });
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(listeners()).toBe(0);
    await pubsub.publish(channel, { walletId: 'w1', entryId: 'late' });
    expect(await feed.next()).toEqual({ value: undefined, done: true });
  });

  it('forgets what was waiting when it ends, and ends once however often it is ended', async () => {
    const { pubsub, listeners } = engine();
    const feed = await open(pubsub);
    const other = await open(pubsub);
    await pubsub.publish(channel, { walletId: 'w1', entryId: '1' });
    await feed.return!();
    await feed.return!();
    await expect(feed.throw!(new Error('socket gone'))).rejects.toThrow('socket gone');
    expect(await feed.next()).toEqual({ value: undefined, done: true });
    // The other subscription on the same channel keeps its own listener and its own notice.
    expect(listeners()).toBe(1);
    expect(await take(other, 1)).toEqual([{ walletId: 'w1', entryId: '1' }]);
  });
});
