import { BalanceChangedDocument, createClient, createLiveClient, OpenWalletDocument } from '@walletgraph/sdk';
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
import { deposit, newKey, type Person, person, pool, transfer } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Resuming a subscription after its last cursor (issue 13), through the real gateway over the
 * network: whatever happened to the subscriber's feed meanwhile is delivered, in its order, once,
 * and then live events with no gap — after a disconnect, across a gateway killed and restarted,
 * and on another gateway replica. What a subscriber receives is compared with the feed identity
 * stored (its positions and its contents), entry for entry.
 */

const stack = useRealStack();
const live = useLiveClients();
let replica: BareGateway;
let redis: TestRedis;

beforeAll(async () => {
  [replica, redis] = await Promise.all([startGatewayReplica(stack.config), openTestRedis('resume')]);
}, 180_000);

afterAll(async () => {
  await replica?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
}, 60_000);

/** `p` making requests through the replica gateway (while the stack's own is down, say). */
const throughReplica = (p: Person): Person => ({
  ...p,
  client: createClient({ url: replica.url, token: p.token }),
});

/** Amounts `from`, `from + 1`, … : one per deposit, so each event tells which deposit it is. */
const amounts = (from: bigint, count: number) => Array.from({ length: count }, (_, i) => from + BigInt(i));

/** Deposits each amount, at most `concurrency` at once. */
async function depositEach(p: Person, minors: readonly bigint[], concurrency: number): Promise<void> {
  const results = await pool(minors, concurrency, (minor) => deposit(p, minor));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
}

/** A subscription on `url` that has received one deposit of `minor`: its client and that event's cursor. */
async function subscribedWithACursor(url: string, p: Person, minor: bigint) {
  const client = live(url, p);
  const balances = watchBalances(client);
  await untilListening(redis.redis, userIdOf(p.token));
  await deposit(p, minor);
  await untilReceived(balances, `${p.name}'s first deposit`, deltaIs(minor));
  expect(balances.events.map((e) => e.data)).toEqual([
    { balanceChanged: { delta: { minorUnits: minor.toString() }, wallet: { id: p.walletId } } },
  ]);
  return { client, cursor: cursorOf(balances.events[0]) };
}

const sorted = (keys: string[]) => [...keys].sort((a, b) => Number(a) - Number(b));

describe('resuming a subscription after its last cursor', () => {
  it('replays the 50 events made while disconnected, in order and once, then goes live with no gap', async () => {
    const [ada, bob] = await Promise.all([person(stack, 'ada'), person(stack, 'bob')]);
    await deposit(bob, 100_000n);
    const { client, cursor } = await subscribedWithACursor(stack.url, ada, 1n);
    await client.dispose();

    // 50 events while Ada is away: 40 deposits and 10 transfers from Bob, 5 at a time.
    const away = [...amounts(1_001n, 40), ...amounts(2_001n, 10)];
    const results = await pool(away, 5, (minor) =>
      minor > 2_000n ? transfer(bob, ada, minor, newKey('transfer')) : deposit(ada, minor),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const start = positionOf(ada, cursor);
    const missed = await untilStored(stack, ada, 'balanceChanged', start, 50);
    expect(sorted(missed.map((e) => e.key))).toEqual(away.map(String));

    // Resumed, with 10 more deposits made while the replay is under way.
    const resumed = watchBalances(live(stack.url, ada), { after: cursor });
    await depositEach(ada, amounts(3_001n, 10), 5);
    await drained(resumed, ada, 9_999n);

    const stored = await storedFeed(stack, ada, 'balanceChanged', start);
    expect(stored).toHaveLength(61);
    expect(balancesReceived(ada, resumed.events)).toEqual(stored);
    expect(sorted(stored.slice(0, 50).map((e) => e.key))).toEqual(away.map(String));
    expect(sorted(stored.slice(50).map((e) => e.key))).toEqual([...amounts(3_001n, 10).map(String), '9999']);
    expect(resumed.ending).toBeUndefined();
  });

  it('resumes on another gateway replica where the first left off', async () => {
    const fay = await person(stack, 'fay');
    const { client, cursor } = await subscribedWithACursor(stack.url, fay, 1n);
    await depositEach(fay, amounts(11n, 3), 1);
    const first = watchBalances(client, { after: cursor });
    await untilReceived(first, 'the deposits so far', deltaIs(13n));
    const last = cursorOf(first.events.at(-1));
    await client.dispose();

    await depositEach(fay, amounts(101n, 20), 4);
    const onReplica = watchBalances(live(replica.url, fay), { after: last });
    await drained(onReplica, fay, 999n);

    const start = positionOf(fay, cursor);
    const stored = await storedFeed(stack, fay, 'balanceChanged', start);
    expect([...balancesReceived(fay, first.events), ...balancesReceived(fay, onReplica.events)]).toEqual(
      stored,
    );
    expect(stored.map((e) => e.key).slice(0, 3)).toEqual(['11', '12', '13']);
    expect(sorted(stored.slice(3, -1).map((e) => e.key))).toEqual(amounts(101n, 20).map(String));
  });

  it('narrows a replay to the wallet or the operation asked for', async () => {
    const gil = await person(stack, 'gil');
    const opened = await gil.client.request(OpenWalletDocument, {
      input: { name: 'Second', currency: 'EUR' },
    });
    expect(opened.errors).toBeUndefined();
    const second = { ...gil, walletId: opened.data!.openWallet.id };
    const { client, cursor } = await subscribedWithACursor(stack.url, gil, 1n);
    await client.dispose();

    // Interleaved, one at a time: the default wallet's 11…15, the second wallet's 21…25.
    const ops: { id: string }[] = [];
    for (const i of amounts(1n, 5)) {
      ops.push(await deposit(gil, 10n + i));
      ops.push(await deposit(second, 20n + i));
    }
    const start = positionOf(gil, cursor);
    await untilStored(stack, gil, 'operationUpdated', start, 10);

    const resumed = live(stack.url, gil);
    const secondOnly = watchBalances(resumed, { walletId: second.walletId, after: cursor });
    const oneOperation = watchOperations(resumed, { id: ops[3]!.id, after: cursor });
    const everyOperation = watchOperations(resumed, { after: cursor });
    const last = await drained(secondOnly, second, 99n);
    await untilReceived(everyOperation, 'the last operation', (e) => e.data?.operationUpdated.id === last.id);

    expect(balancesReceived(gil, secondOnly.events)).toEqual(
      await storedFeed(stack, gil, 'balanceChanged', start, second.walletId),
    );
    expect(secondOnly.events.map((e) => e.data!.balanceChanged)).toEqual(
      [21n, 22n, 23n, 24n, 25n, 99n].map((minor) => ({
        delta: { minorUnits: minor.toString() },
        wallet: { id: second.walletId },
      })),
    );
    const everyUpdate = await storedFeed(stack, gil, 'operationUpdated', start);
    expect(operationsReceived(gil, everyOperation.events)).toEqual(everyUpdate);
    expect(everyUpdate.map((e) => e.key)).toEqual(
      expect.arrayContaining([...ops.map((op) => op.id), last.id]),
    );
    // Every update of that one operation, and nothing of the nine others.
    const itsUpdates = await storedFeed(stack, gil, 'operationUpdated', start, ops[3]!.id);
    expect(itsUpdates.length).toBeGreaterThan(0);
    expect(operationsReceived(gil, oneOperation.events)).toEqual(itsUpdates);
  });

  it('refuses another user’s cursor or a garbage one with BAD_USER_INPUT, revealing nothing', async () => {
    const [ida, jon] = await Promise.all([person(stack, 'ida'), person(stack, 'jon')]);
    const { cursor } = await subscribedWithACursor(stack.url, ida, 1n);
    const client = live(stack.url, jon);
    const withHers = watchBalances(client, { after: cursor });
    const garbage = watchBalances(client, { after: 'bm90LWEtY3Vyc29y' });
    const refusal = {
      kind: 'errors',
      errors: [
        {
          message: 'after: not a cursor of your live feed',
          extensions: { code: 'BAD_USER_INPUT', field: 'after' },
        },
      ],
    };
    expect(await withHers.ended).toEqual(refusal);
    expect(await garbage.ended).toEqual(refusal);
    expect(JSON.stringify(withHers.ending)).not.toContain(userIdOf(ida.token));
    // Jon's own events still reach him; Ida's never did.
    const own = watchBalances(client);
    await untilListening(redis.redis, userIdOf(jon.token));
    await drained(own, jon, 7n);
    await deposit(ida, 8n);
    await drained(own, jon, 9n);
    expect(own.events.map((e) => e.data!.balanceChanged.delta.minorUnits)).toEqual(['7', '9']);
    expect([withHers.events, garbage.events]).toEqual([[], []]);
  });

  it('replays what happened while the gateway was killed, once it is back', async () => {
    const kai = await person(stack, 'kai');
    const { client, cursor } = await subscribedWithACursor(stack.url, kai, 1n);
    const lastBefore = watchBalances(client, { after: cursor });
    await stack.kill('gateway');
    expect((await lastBefore.ended).kind).toBe('errors');

    // The stack's gateway is down: Kai's deposits go through the replica meanwhile.
    await depositEach(throughReplica(kai), amounts(201n, 15), 3);
    const start = positionOf(kai, cursor);
    await untilStored(stack, kai, 'balanceChanged', start, 15);
    await stack.restart('gateway');

    const resumed = watchBalances(live(stack.url, kai), { after: cursor });
    await drained(resumed, kai, 999n);
    const stored = await storedFeed(stack, kai, 'balanceChanged', start);
    expect(balancesReceived(kai, resumed.events)).toEqual(stored);
    expect(sorted(stored.map((e) => e.key))).toEqual([...amounts(201n, 15).map(String), '999']);
    expect(lastBefore.events).toEqual([]);
  });

  it('keeps the SDK’s live client, started without a cursor, one ordered stream across a gateway killed before its first event', async () => {
    const lea = await person(stack, 'lea');
    const client = createLiveClient({
      url: stack.url,
      token: lea.token,
      reconnect: { initialDelayMs: 100, maxDelayMs: 500, maxAttempts: 200 },
    });
    const received: string[] = [];
    const reading = (async () => {
      for await (const event of client.subscribe(BalanceChangedDocument, {})) {
        received.push(event.data!.balanceChanged.delta.minorUnits);
        if (received.length === 11) return;
      }
    })();
    // It starts after `liveCursor`: the gateway goes before the subscription has seen anything.
    await untilListening(redis.redis, userIdOf(lea.token));
    await stack.kill('gateway');
    await depositEach(throughReplica(lea), amounts(301n, 10), 1);
    await stack.restart('gateway');
    await deposit(lea, 999n);
    await reading;
    await client.dispose();
    expect(received).toEqual([...amounts(301n, 10).map(String), '999']);
  });
});
