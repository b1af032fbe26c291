import { waitFor } from '@walletgraph/platform/test/support/infra';
import { createClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  balancesReceived,
  cursorOf,
  deltaIs,
  drained,
  operationsReceived,
  positionOf,
  storedFeed,
  untilReceived,
  untilStored,
  useLiveClients,
  watchBalances,
  watchOperations,
} from '../support/feed.ts';
import { type BareGateway, startGatewayReplica } from '../support/gateway.ts';
import { untilListening, userIdOf } from '../support/live.ts';
import { deposit, type Person, person, pool, withSql } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * The live feed's limits, through the real gateway: a feed keeps a bounded number of events per
 * user (LIVE_FEED_RETENTION_EVENTS), so an old cursor expires; a client slower than its events has
 * a bounded queue (SUBSCRIPTION_QUEUE_SIZE), where balances coalesce and other notices wait in
 * the store, so nothing but superseded balances is skipped and the client can resume.
 */

const stack = useRealStack({
  SUBSCRIPTION_QUEUE_SIZE: '4',
  LIVE_FEED_RETENTION_EVENTS: '60',
  LIVE_FEED_PRUNE_INTERVAL_MS: '200',
});
const live = useLiveClients();
let replica: BareGateway;
let redis: TestRedis;

beforeAll(async () => {
  [replica, redis] = await Promise.all([startGatewayReplica(stack.config), openTestRedis('resume-limits')]);
}, 180_000);

afterAll(async () => {
  await replica?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
}, 60_000);

const amounts = (from: bigint, count: number) => Array.from({ length: count }, (_, i) => from + BigInt(i));

async function depositEach(p: Person, minors: readonly bigint[], concurrency: number): Promise<void> {
  const results = await pool(minors, concurrency, (minor) => deposit(p, minor));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
}

/** How far identity pruned `p`'s feed: entries up to this position are gone. */
async function prunedThrough(p: Person): Promise<bigint> {
  return withSql(stack.databases.identity!, async (sql) => {
    const [row] = await sql<{ pruned: string }[]>`
      select pruned_through::text as pruned from live_feed_heads where user_id = ${userIdOf(p.token)}`;
    return BigInt(row?.pruned ?? '0');
  });
}

describe('the live feed’s limits', () => {
  it('refuses a cursor whose events were pruned with CURSOR_EXPIRED; a recent one still resumes', async () => {
    const gus = await person(stack, 'gus');
    const client = live(stack.url, gus);
    const balances = watchBalances(client);
    await untilListening(redis.redis, userIdOf(gus.token));
    await drained(balances, gus, 1n);
    const oldest = cursorOf(balances.events[0]);

    // 40 deposits, two entries each (a balance and an operation): past the 60 the feed keeps.
    await depositEach(gus, amounts(101n, 40), 5);
    await waitFor(
      'the feed pruned past the first cursor',
      async () => (await prunedThrough(gus)) > positionOf(gus, oldest),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const expired = watchBalances(live(stack.url, gus), { after: oldest });
    expect(await expired.ended).toEqual({
      kind: 'errors',
      errors: [
        {
          message:
            'after: the live feed no longer keeps events that far back; re-read your state and subscribe without a cursor',
          extensions: { code: 'CURSOR_EXPIRED', field: 'after' },
        },
      ],
    });
    expect(expired.events).toEqual([]);

    await drained(balances, gus, 9_001n);
    const recent = cursorOf(balances.events.at(-1));
    const resumed = watchBalances(live(stack.url, gus), { after: recent });
    await drained(resumed, gus, 9_002n);
    expect(balancesReceived(gus, resumed.events)).toEqual(
      await storedFeed(stack, gus, 'balanceChanged', positionOf(gus, recent)),
    );
    expect(resumed.events.map((e) => e.data!.balanceChanged.delta.minorUnits)).toEqual(['9002']);
  });

  it('coalesces a slow client’s balances to the latest, delivers every operation once, and resumes', async () => {
    const hal = await person(stack, 'hal');
    const balances = watchBalances(live(stack.url, hal));
    const operationsClient = live(stack.url, hal);
    const operations = watchOperations(operationsClient);
    await untilListening(redis.redis, userIdOf(hal.token));
    const first = await drained(balances, hal, 1n);
    await untilReceived(operations, 'the first operation', (e) => e.data?.operationUpdated.id === first.id);
    const balancesFrom = positionOf(hal, cursorOf(balances.events[0])) - 1n;
    const operationsFrom = positionOf(hal, cursorOf(operations.events[0])) - 1n;

    // The gateway is frozen while 20 deposits are made (through the replica): once it runs again,
    // their notices reach its subscriptions at once, faster than the client takes them.
    const gateway = stack.pids().gateway!;
    process.kill(gateway, 'SIGSTOP');
    try {
      await depositEach(
        { ...hal, client: createClient({ url: replica.url, token: hal.token }) },
        amounts(101n, 20),
        1,
      );
      await untilStored(stack, hal, 'operationUpdated', operationsFrom, 21);
    } finally {
      process.kill(gateway, 'SIGCONT');
    }

    // The operations' client goes away after a couple of the 20, and comes back with its last cursor.
    await untilReceived(operations, 'two more operations', () => operations.events.length >= 3);
    await operationsClient.dispose();
    const lastSeen = cursorOf(operations.events.at(-1));
    const resumed = watchOperations(live(stack.url, hal), { after: lastSeen });
    await untilReceived(balances, 'the last deposit’s balance', deltaIs(120n));
    const sentinel = await drained(balances, hal, 999n);
    await untilReceived(resumed, 'the last operation', (e) => e.data?.operationUpdated.id === sentinel.id);

    const storedBalances = await storedFeed(stack, hal, 'balanceChanged', balancesFrom);
    const received = balancesReceived(hal, balances.events);
    // Fewer balances than deposits, each one stored, in order, the latest of the 20 last.
    expect(storedBalances.map((e) => e.key)).toEqual(['1', ...amounts(101n, 20).map(String), '999']);
    expect(received.length).toBeLessThan(storedBalances.length);
    expect(received).toEqual(storedBalances.filter((e) => received.some((r) => r.seq === e.seq)));
    expect(received.slice(-2).map((e) => e.key)).toEqual(['120', '999']);
    // Every operation, once, in the feed's order, across the two subscriptions.
    const storedOperations = await storedFeed(stack, hal, 'operationUpdated', operationsFrom);
    expect([
      ...operationsReceived(hal, operations.events),
      ...operationsReceived(hal, resumed.events),
    ]).toEqual(storedOperations);
    expect(new Set(storedOperations.map((e) => e.key)).size).toBe(22);
  });
});
