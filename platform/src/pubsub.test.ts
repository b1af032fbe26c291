import { randomUUID } from 'node:crypto';
import type { RedisPubSub } from 'graphql-redis-subscriptions';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { testLogger, waitFor } from '../test/support/infra.ts';
import { testServices } from '../test/support/services.ts';
import { type FeedEntry, type FeedEntryMessage, feedChannel } from './live/feed.ts';
import { createPubSub, type PubSubHandle } from './pubsub.ts';

const logger = testLogger('pubsub');
const opened: PubSubHandle[] = [];

afterAll(async () => {
  for (const pubsub of opened) await pubsub.close();
});

const modes = [
  { mode: 'embedded', open: () => createPubSub({ logger }) },
  { mode: 'Redis', open: () => createPubSub({ redisUrl: testServices.redis, logger }) },
];

/** A handle, connected: its command connection queues nothing while it connects. */
async function open(make: () => PubSubHandle): Promise<PubSubHandle> {
  const pubsub = make();
  opened.push(pubsub);
  if (pubsub.redis) await waitFor('the Redis connection', () => pubsub.redis?.status === 'ready');
  return pubsub;
}

/** What arrives on a user's feed channel, in order. */
async function listen(pubsub: PubSubHandle, userId: string): Promise<unknown[]> {
  const received: unknown[] = [];
  await pubsub.engine.subscribe(feedChannel(userId), (m: unknown) => received.push(m), {});
  return received;
}

const entry = (userId: string, seq: bigint, id = randomUUID()): FeedEntry => ({
  userId,
  seq,
  topic: 'operationUpdated',
  notice: { v: 1, id },
});

describe.each(modes)('publishing feed entries ($mode)', ({ open: make }) => {
  it('sends each entry on its own user’s feed channel, as a message with its position as a string and its time', async () => {
    const pubsub = await open(make);
    const [alice, bob] = [randomUUID(), randomUUID()];
    const [toAlice, toBob] = [await listen(pubsub, alice), await listen(pubsub, bob)];
    const entries = [entry(alice, 1n), entry(bob, 7n), entry(alice, 2n)];

    await pubsub.publisher.publish(entries);

    await waitFor('both users’ entries', () => toAlice.length === 2 && toBob.length === 1);
    const message = (e: FeedEntry): FeedEntryMessage => ({
      seq: e.seq.toString(),
      topic: e.topic,
      notice: e.notice,
      // Without the stored time, the publication's (the gateway times delivery from it).
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(toAlice).toEqual([message(entries[0]!), message(entries[2]!)]);
    expect(toBob).toEqual([message(entries[1]!)]);
  });

  it('publishes nothing for no entries', async () => {
    const pubsub = await open(make);
    const user = randomUUID();
    const received = await listen(pubsub, user);
    await pubsub.publisher.publish([]);
    await pubsub.publisher.publish([entry(user, 1n)]);
    await waitFor('the one entry', () => received.length === 1);
    expect(received).toHaveLength(1);
  });
});

describe('reconnecting', () => {
  it('embedded: never reports a reconnection, and answers ping', async () => {
    const pubsub = await open(() => createPubSub({ logger }));
    let calls = 0;
    const unsubscribe = pubsub.onReconnected(() => calls++);
    await pubsub.ping();
    unsubscribe();
    expect(calls).toBe(0);
    expect(pubsub.redis).toBeNull();
  });

  it('Redis: reports the subscriber back after Redis dropped it, once, and its subscriptions resume', async () => {
    const pubsub = await open(() => createPubSub({ redisUrl: testServices.redis, logger }));
    const subscriber = (pubsub.engine as RedisPubSub).getSubscriber() as Redis;
    // Its id before it subscribes: a subscribed connection takes no other command.
    const id = await subscriber.client('ID');
    const user = randomUUID();
    const received = await listen(pubsub, user);
    let calls = 0;
    let laterCalls = 0;
    pubsub.onReconnected(() => calls++);
    const unsubscribe = pubsub.onReconnected(() => laterCalls++);
    unsubscribe();

    await pubsub.ping();
    await pubsub.redis!.client('KILL', 'ID', String(id));

    await waitFor('the reconnection to be reported', () => calls === 1);
    expect(laterCalls).toBe(0);
    // Resubscribed: an entry published now arrives (published until it does, as the
    // subscription is replayed just after the connection is back).
    await waitFor('an entry after the reconnection', async () => {
      await pubsub.publisher.publish([entry(user, 1n)]);
      return received.length > 0;
    });
    expect(calls).toBe(1);
  });
});
