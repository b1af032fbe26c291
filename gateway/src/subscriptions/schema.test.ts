import { EventEmitter } from 'node:events';
import { createLiveNotice } from '@walletgraph/events';
import { type FeedEntryMessage, feedChannel, feedCursor } from '@walletgraph/platform/live/feed';
import { createLogger } from '@walletgraph/platform/logger';
import { createMetrics } from '@walletgraph/platform/metrics';
import { type ExecutionResult, parse } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { describe, expect, it, vi } from 'vitest';
import { subscribeWithCursors } from './cursors.ts';
import { createLiveMetrics } from './live-metrics.ts';
import { createSubscriptionSchema, type SubscriptionContext } from './schema.ts';

/**
 * What reaches a subscription from its feed: the subscription schema run as the gateway runs it
 * (graphql-js with each payload's `extensions.cursor`, cursors.ts) against
 * the in-memory PubSub (embedded mode) as the user's channel, with feed entries stored in an
 * array standing in for identity's store and published on the channel as they are.
 */

const userId = '0196f0a0-0000-7000-8000-0000000000a1';
const jarId = '0196f0a0-0000-7000-8000-00000000001a';
const channel = feedChannel(userId);
const goal = (achievedAt: string) => createLiveNotice('goalAchieved', { jarId, achievedAt });

function setUp() {
  const logger = createLogger('gateway-test', 'silent');
  const warn = vi.spyOn(logger, 'warn');
  const schema = createSubscriptionSchema({ logger });
  const emitter = new EventEmitter();
  const engine = new PubSub({ eventEmitter: emitter });
  const entries: FeedEntryMessage[] = [];
  /** Stores a goal notice (as it came, however broken) at the next position and publishes it. */
  const publish = async (notice: unknown) => {
    const entry = { seq: String(entries.length + 1), topic: 'goalAchieved', notice } as FeedEntryMessage;
    entries.push(entry);
    await engine.publish(channel, entry);
  };
  const context: SubscriptionContext = {
    userId,
    run: async () => {
      throw new Error('goalAchieved { achievedAt } reads nothing through the supergraph');
    },
    engine,
    // The page as JSON over HTTP: new objects on each read.
    readFeed: async (after, filter, limit) => {
      const head = BigInt(entries.length);
      const page = entries.filter((e) => e.topic === filter.topic && BigInt(e.seq) > (after ?? head));
      const through = page.length > limit ? page[limit - 1]!.seq : String(head);
      return { entries: structuredClone(page.slice(0, limit)), through };
    },
    queueSize: 8,
    chargeEvent: async () => null,
    live: createLiveMetrics(createMetrics({ defaultMetrics: false })),
  };
  const open = async () => {
    const events = await subscribeWithCursors({
      schema,
      document: parse('subscription { goalAchieved { achievedAt } }'),
      contextValue: context,
    });
    if (!(Symbol.asyncIterator in events)) throw new Error(`not subscribed: ${JSON.stringify(events)}`);
    return events as AsyncIterableIterator<ExecutionResult>;
  };
  /** Takes a first notice on each subscription: from then on they are live on the channel. */
  const level = async (...subscriptions: AsyncIterableIterator<ExecutionResult>[]) => {
    await publish(goal('2026-01-01T00:00:00.000Z'));
    for (const events of subscriptions) {
      expect(await events.next()).toMatchObject({ value: { data: { goalAchieved: {} } } });
    }
  };
  return { warn, publish, open, level, listeners: () => emitter.listenerCount(channel) };
}

describe('a notice in a subscriber’s feed', () => {
  it.each([
    ['of an unknown version', { ...goal('2026-01-01T00:00:00.000Z'), v: 2 }, ['v', 'jarId', 'achievedAt']],
    ['without a version', { jarId, achievedAt: '2026-01-01T00:00:00.000Z' }, ['jarId', 'achievedAt']],
    ['without its jar', { v: 1, achievedAt: '2026-01-01T00:00:00.000Z' }, ['v', 'achievedAt']],
    ['with a date that is not one', { v: 1, jarId, achievedAt: 'soon' }, ['v', 'jarId', 'achievedAt']],
    ['that is not an object', 'not json', 'string'],
  ])('%s is logged and dropped; the subscription delivers the next notice', async (_, bad, fields) => {
    const { warn, publish, open, level } = setUp();
    const events = await open();
    await level(events);
    await publish(bad);
    await publish(goal('2026-01-02T00:00:00.000Z'));

    // The position after the first notice and the dropped one.
    expect(await events.next()).toEqual({
      done: false,
      value: {
        data: { goalAchieved: { achievedAt: '2026-01-02T00:00:00.000Z' } },
        extensions: { cursor: feedCursor(userId, 3n) },
      },
    });
    expect(warn.mock.calls).toEqual([
      [{ topic: 'goalAchieved', fields }, 'dropped a live notice that breaks its topic’s contract'],
    ]);
    await events.return!();
  });

  it('reaching several subscriptions on the channel is read, and a bad one logged, once', async () => {
    const { warn, publish, open, level } = setUp();
    const [first, second] = [await open(), await open()];
    await level(first, second);
    await publish({ v: 2 });
    await publish(goal('2026-01-03T00:00:00.000Z'));

    const delivered = {
      done: false,
      value: {
        data: { goalAchieved: { achievedAt: '2026-01-03T00:00:00.000Z' } },
        extensions: { cursor: feedCursor(userId, 3n) },
      },
    };
    expect([await first.next(), await second.next()]).toEqual([delivered, delivered]);
    expect(warn).toHaveBeenCalledTimes(1);
    await Promise.all([first.return!(), second.return!()]);
  });
});

describe('a subscription waiting for its next notice', () => {
  it('ends at once when graphql-ws ends it (complete, a socket closing), and stops listening', async () => {
    const { open, level, listeners } = setUp();
    const events = await open();
    await level(events);
    const waiting = events.next();
    expect(listeners()).toBe(1);
    expect(await events.return!()).toEqual({ value: undefined, done: true });
    expect(listeners()).toBe(0);
    // Its handler is left waiting: finished, graphql-ws would delete a new subscription under the same id.
    expect(await Promise.race([waiting.then(() => 'settled'), Promise.resolve('waiting')])).toBe('waiting');
  });
});
