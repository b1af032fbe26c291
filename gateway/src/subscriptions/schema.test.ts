import { createLiveNotice } from '@walletgraph/events';
import { createLogger } from '@walletgraph/platform/logger';
import { userChannel } from '@walletgraph/platform/pubsub';
import { type ExecutionResult, parse, subscribe } from 'graphql';
import { PubSub } from 'graphql-subscriptions';
import { describe, expect, it, vi } from 'vitest';
import { createSubscriptionSchema, type SubscriptionContext } from './schema.ts';

/**
 * What reaches a subscription from its channel: the subscription schema run by graphql-js against
 * the in-memory PubSub (embedded mode), with messages published on the channel as they are.
 */

const userId = '0196f0a0-0000-7000-8000-0000000000a1';
const jarId = '0196f0a0-0000-7000-8000-00000000001a';
const channel = userChannel(userId, 'goalAchieved');
const goal = (achievedAt: string) => createLiveNotice('goalAchieved', { jarId, achievedAt });

function setUp() {
  const logger = createLogger('gateway-test', 'silent');
  const warn = vi.spyOn(logger, 'warn');
  const schema = createSubscriptionSchema({ logger });
  const engine = new PubSub();
  const context: SubscriptionContext = {
    userId,
    run: async () => {
      throw new Error('goalAchieved { achievedAt } reads nothing through the supergraph');
    },
    engine,
    queueSize: 8,
    chargeEvent: async () => null,
  };
  const open = async () => {
    const events = await subscribe({
      schema,
      document: parse('subscription { goalAchieved { achievedAt } }'),
      contextValue: context,
    });
    if (!(Symbol.asyncIterator in events)) throw new Error(`not subscribed: ${JSON.stringify(events)}`);
    return events as AsyncGenerator<ExecutionResult>;
  };
  return { warn, engine, open };
}

describe('a message on a subscription’s channel', () => {
  it.each([
    ['of an unknown version', { ...goal('2026-01-01T00:00:00.000Z'), v: 2 }, ['v', 'jarId', 'achievedAt']],
    ['without a version', { jarId, achievedAt: '2026-01-01T00:00:00.000Z' }, ['jarId', 'achievedAt']],
    ['without its jar', { v: 1, achievedAt: '2026-01-01T00:00:00.000Z' }, ['v', 'achievedAt']],
    ['with a date that is not one', { v: 1, jarId, achievedAt: 'soon' }, ['v', 'jarId', 'achievedAt']],
    ['that is not JSON', 'not json', 'string'],
  ])('%s is logged and dropped; the subscription delivers the next notice', async (_, bad, fields) => {
    const { warn, engine, open } = setUp();
    const events = await open();
    await engine.publish(channel, bad);
    await engine.publish(channel, goal('2026-01-02T00:00:00.000Z'));

    expect(await events.next()).toEqual({
      done: false,
      value: { data: { goalAchieved: { achievedAt: '2026-01-02T00:00:00.000Z' } } },
    });
    expect(warn.mock.calls).toEqual([
      [{ topic: 'goalAchieved', fields }, 'dropped a live notice that breaks its topic’s contract'],
    ]);
    await events.return(undefined);
  });

  it('reaching several subscriptions is read, and a bad one logged, once', async () => {
    const { warn, engine, open } = setUp();
    const [first, second] = [await open(), await open()];
    await engine.publish(channel, { v: 2 });
    await engine.publish(channel, goal('2026-01-03T00:00:00.000Z'));

    const delivered = {
      done: false,
      value: { data: { goalAchieved: { achievedAt: '2026-01-03T00:00:00.000Z' } } },
    };
    expect([await first.next(), await second.next()]).toEqual([delivered, delivered]);
    expect(warn).toHaveBeenCalledTimes(1);
    await Promise.all([first.return(undefined), second.return(undefined)]);
  });
});
