import { waitFor } from '@walletgraph/platform/test/support/infra';
import { createLiveClient, type LiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connected, delivered, untilListening, userIdOf, watch } from '../support/live.ts';
import { deposit, person } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { ensureRedisRunning, stopRedis } from '../support/redis-server.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * The local Redis restarts under an open subscription. Redis pub/sub keeps nothing, but the
 * user's feed does: what could not be published, or reached no one, while a connection was down
 * is read back from it by the gateway (after its reconnection, or at the hole a later entry
 * shows). What must hold is that the subscription survives and every event arrives, once, in
 * order. Disruptive: it stops the Redis every other test uses, so it runs alone, after them.
 */

// Registered before the stack's hooks: Redis is up before the stack starts.
beforeAll(ensureRedisRunning, 60_000);
const stack = useRealStack();
let redis: TestRedis;
const clients: LiveClient[] = [];

beforeAll(async () => {
  redis = await openTestRedis('redis-restart');
});

// Runs before the stack's own afterAll (hooks unwind in reverse order).
afterAll(async () => {
  // Whatever happened, the machine's Redis is running again before anything else is cleaned up.
  await ensureRedisRunning();
  await Promise.all(clients.map((c) => c.dispose()));
  await redis?.[Symbol.asyncDispose]();
}, 120_000);

type BalanceEvent = {
  balanceChanged: { delta: { minorUnits: string }; operation: { id: string }; wallet: { id: string } };
};

describe('subscriptions across a Redis restart', () => {
  it('keeps the subscription open and delivers new events again once Redis is back', async () => {
    const kim = await person(stack, 'kim');
    const client = createLiveClient({ url: stack.url, token: kim.token, options: { retryAttempts: 0 } });
    clients.push(client);
    const closes: number[] = [];
    client.ws.on('closed', (event) => closes.push((event as CloseEvent).code));
    const opened = connected(client);
    const balances = watch<BalanceEvent>(client.ws, {
      query: 'subscription { balanceChanged { delta { minorUnits } operation { id } wallet { id } } }',
    });
    await opened;
    await untilListening(redis.redis, userIdOf(kim.token));
    const before = await deposit(kim, 100n);
    await balances.next(
      'the event before the restart',
      (e) => e.data?.balanceChanged.operation.id === before.id,
    );

    try {
      await stopRedis();
    } finally {
      await ensureRedisRunning();
    }

    // The gateway's subscriber connection comes back and subscribes to Kim's channel again.
    await untilListening(redis.redis, userIdOf(kim.token));
    // Identity's publisher reconnects on its own schedule: an entry it could not publish meanwhile
    // is in Kim's feed all the same, and the gateway reads it back once a later one shows the hole.
    // Deposit until one of these deposits is announced.
    const after: string[] = [];
    await waitFor(
      'an event for a deposit made after the restart',
      async () => {
        if (balances.events.some((e) => after.includes(e.data?.balanceChanged.operation.id ?? '')))
          return true;
        after.push((await deposit(kim, 200n)).id);
        return undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    // Nothing is lost: every deposit's event, once each and in order, each with its cursor.
    const ids = [before.id, ...after];
    await waitFor('an event for every deposit', async () =>
      balances.events.length >= ids.length ? true : undefined,
    );
    expect(balances.events).toEqual(
      ids.map((id) =>
        delivered({
          balanceChanged: {
            delta: { minorUnits: id === before.id ? '100' : '200' },
            operation: { id },
            wallet: { id: kim.walletId },
          },
        }),
      ),
    );
    // The same socket and subscription throughout: the client never saw a close.
    expect(closes).toEqual([]);
  });
});
