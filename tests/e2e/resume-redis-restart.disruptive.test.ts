import { waitFor } from '@walletgraph/platform/test/support/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  balancesReceived,
  cursorOf,
  deltaIs,
  drained,
  positionOf,
  storedFeed,
  untilReceived,
  untilStored,
  useLiveClients,
  watchBalances,
} from '../support/feed.ts';
import { connected, untilListening, userIdOf } from '../support/live.ts';
import { deposit, person } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { ensureRedisRunning, stopRedis } from '../support/redis-server.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Events made while Redis is down (issue 13): the subgraphs' outboxes carry them to identity,
 * which stores them in the user's feed though it cannot publish them. A subscription that stayed
 * connected, and one resuming afterwards with a cursor from before, receive every one of them,
 * once and in order. Disruptive: it stops the Redis every other test uses, so it runs alone.
 */

// Registered before the stack's hooks: Redis is up before the stack starts.
beforeAll(ensureRedisRunning, 60_000);
const stack = useRealStack();
const live = useLiveClients();
let redis: TestRedis;

beforeAll(async () => {
  redis = await openTestRedis('resume-redis-restart');
});

// Runs before the clients' and the stack's own afterAll (hooks unwind in reverse order).
afterAll(async () => {
  // Whatever happened, the machine's Redis is running again before anything else is cleaned up.
  await ensureRedisRunning();
  await redis?.[Symbol.asyncDispose]();
}, 120_000);

describe('resuming across a Redis restart', () => {
  it('delivers what was stored while Redis was down, once and in order, to a subscriber that stayed and to one resuming', async () => {
    const kim = await person(stack, 'kim');
    const client = live(stack.url, kim);
    const closes: number[] = [];
    client.ws.on('closed', (event) => closes.push((event as CloseEvent).code));
    const opened = connected(client);
    const stayed = watchBalances(client);
    await opened;
    await untilListening(redis.redis, userIdOf(kim.token));
    await drained(stayed, kim, 1n);
    const cursor = cursorOf(stayed.events[0]);
    const start = positionOf(kim, cursor);

    const whileDown = Array.from({ length: 10 }, (_, i) => 101n + BigInt(i));
    try {
      await stopRedis();
      for (const minor of whileDown) await deposit(kim, minor);
      // Identity stored them; it could not publish them.
      await untilStored(stack, kim, 'balanceChanged', start, whileDown.length);
    } finally {
      await ensureRedisRunning();
    }

    // Deposits after the restart until one is delivered: the publishers reconnect on their own
    // schedule, and the feed delivers in order, so by then everything before it was delivered.
    const after: bigint[] = [];
    await waitFor(
      'a deposit made after the restart, delivered',
      async () => {
        const last = after.at(-1);
        if (last !== undefined && stayed.events.some(deltaIs(last))) return true;
        const minor = 901n + BigInt(after.length);
        after.push(minor);
        await deposit(kim, minor);
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    );

    const resumed = watchBalances(live(stack.url, kim), { after: cursor });
    await untilReceived(resumed, 'the last deposit, resumed', deltaIs(after.at(-1)!));

    const stored = await storedFeed(stack, kim, 'balanceChanged', start);
    expect(stored.map((e) => e.key)).toEqual([...whileDown, ...after].map(String));
    expect(balancesReceived(kim, stayed.events)).toEqual([{ seq: start, key: '1' }, ...stored]);
    expect(balancesReceived(kim, resumed.events)).toEqual(stored);
    // The same socket and subscription throughout.
    expect(closes).toEqual([]);
    expect(stayed.ending).toBeUndefined();
  });
});
