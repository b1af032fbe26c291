import { subscriptionOverHttpMessage } from '@walletgraph/gateway/plugins/reject-http-subscriptions';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  AllocateToJarDocument,
  BalanceChangedDocument,
  CreateJarDocument,
  closeCodes,
  createLiveClient,
  type LiveClient,
  OperationUpdatedDocument,
  SpendFromJarDocument,
} from '@walletgraph/sdk';
import type { ExecutionResult } from 'graphql';
import { createClient as createWsClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/http.ts';
import { closed, connected, delivered, untilListening, userIdOf, watch } from '../support/live.ts';
import { deposit, eur, newKey, type Person, person, settled } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Live updates through the gateway's graphql-ws server, in real mode: each event read through the
 * supergraph as its subscriber, on channels chosen from the verified token. Two subscriptions per
 * user at most on this stack, so the cap is reached with little.
 */

const stack = useRealStack({ SUBSCRIPTIONS_PER_USER: '2' });
let redis: TestRedis;
const clients: LiveClient[] = [];

beforeAll(async () => {
  redis = await openTestRedis('subscriptions');
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await redis?.[Symbol.asyncDispose]();
}, 60_000);

function live(p: Person): LiveClient {
  const client = createLiveClient({ url: stack.url, token: p.token, options: { retryAttempts: 0 } });
  clients.push(client);
  return client;
}

/** Collects what an iterator yields, in the background. */
function collect<T>(iterator: AsyncIterableIterator<T>): { items: T[]; done: Promise<void> } {
  const items: T[] = [];
  const done = (async () => {
    for await (const item of iterator) items.push(item);
  })().catch(() => {});
  return { items, done };
}

/** Until the gateway listens on the person's feed channel: their subscriptions are live. */
const listening = (p: Person) => untilListening(redis.redis, userIdOf(p.token));

describe('subscriptions through the gateway, real mode', () => {
  it('delivers a balance change with a payload selected across subgraphs, to its owner only', async () => {
    const [ada, bob] = await Promise.all([person(stack, 'ada'), person(stack, 'bob')]);
    const adaLive = live(ada);
    const bobLive = live(bob);
    const adaEvents = collect(adaLive.subscribe(BalanceChangedDocument, { walletId: ada.walletId }));
    // Bob asks for Ada's wallet by id: the id only narrows his own channel, so he gets nothing.
    const bobEvents = collect(bobLive.subscribe(BalanceChangedDocument, { walletId: ada.walletId }));
    const bobOwn = watch<{ balanceChanged: { delta: { minorUnits: string } } }>(bobLive.ws, {
      query: 'subscription { balanceChanged { delta { minorUnits } } }',
    });
    await listening(ada);
    await listening(bob);

    const op = await deposit(ada, 2_500n);
    expect(op.status).toBe('COMPLETED');
    await deposit(bob, 100n);
    const [event] = await waitForItems(adaEvents.items, 'Ada’s balance event');
    expect(event).toEqual(
      delivered({
        balanceChanged: {
          delta: { amount: '25.00', currency: 'EUR', minorUnits: '2500' },
          wallet: {
            id: ada.walletId,
            balance: { total: { amount: '25.00', minorUnits: '2500' }, available: { minorUnits: '2500' } },
            owner: { email: ada.email },
            jars: [{ name: 'Income', balance: { amount: '0.00' } }],
          },
          // The ledger announces the posting when it commits; the transactions subgraph records
          // the settlement from the same posting a moment later, so the operation read for this
          // event may still be PENDING (every field is read when the event is delivered).
          operation: { id: op.id, kind: 'DEPOSIT', status: expect.stringMatching(/^(PENDING|COMPLETED)$/) },
        },
      }) satisfies ExecutionResult,
    );
    // Bob's own deposit reaches his unnarrowed subscription; the one narrowed to Ada's wallet was
    // offered the same notice and let it pass, and Ada's never reached his channel.
    expect(await bobOwn.next('Bob’s own balance event')).toEqual(
      delivered({ balanceChanged: { delta: { minorUnits: '100' } } }),
    );
    expect(bobEvents.items).toEqual([]);
  });

  it('keeps aliases, named and inline fragments and variables of a payload sent as raw GraphQL', async () => {
    const cat = await person(stack, 'cat');
    const client = live(cat);
    const raw = watch(client.ws, {
      query: /* GraphQL */ `
        subscription Live($w: ID, $first: Int) {
          bc: balanceChanged(walletId: $w) {
            ...F
            d: delta { amount }
            ... on BalanceChange { op: operation { id k: kind } }
          }
        }
        fragment F on BalanceChange {
          wallet { id ops: operations(first: $first) { edges { node { id } } } ...W }
        }
        fragment W on Wallet { ... on Wallet { own: owner { mail: email } } }
      `,
      variables: { w: cat.walletId, first: 1 },
    });
    await listening(cat);
    const op = await deposit(cat, 1_234n);
    expect(await raw.next('Cat’s raw balance event')).toEqual(
      delivered({
        bc: {
          wallet: {
            id: cat.walletId,
            ops: { edges: [{ node: { id: op.id } }] },
            own: { mail: cat.email },
          },
          d: { amount: '12.34' },
          op: { id: op.id, k: 'DEPOSIT' },
        },
      }),
    );
  });

  it('tells an operation’s owner when it settles', async () => {
    const cyd = await person(stack, 'cyd');
    const events = collect(live(cyd).subscribe(OperationUpdatedDocument, {}));
    await listening(cyd);
    const op = await deposit(cyd, 700n);
    const [event] = await waitForItems(events.items, 'the settlement event');
    expect(event?.data?.operationUpdated).toMatchObject({ id: op.id, status: 'COMPLETED', kind: 'DEPOSIT' });
  });

  it('announces a savings jar’s new balance and its goal reached, as the jar reads then', async () => {
    const dee = await person(stack, 'dee');
    await deposit(dee, 5_000n);
    const bike = await createJar(dee, { name: 'Bike', kind: 'SAVINGS', goalTarget: eur(2_000n) });
    const client = live(dee);
    const updates = watch<{ jarUpdated: { id: string; balance: { amount: string } } }>(client.ws, {
      query: /* GraphQL */ `
        subscription ($jar: ID) {
          jarUpdated(jarId: $jar) { id name kind balance { amount } goal { target { amount } progressPercent } }
        }
      `,
      variables: { jar: bike.id },
    });
    const goals = watch<{ goalAchieved: { achievedAt: string } }>(client.ws, {
      query: /* GraphQL */ `
        subscription { goalAchieved { achievedAt jar { id name goal { progressPercent achievedAt } } } }
      `,
    });
    await listening(dee);

    expect((await moveMoney(dee, AllocateToJarDocument, bike.id, 2_000n)).status).toBe('COMPLETED');
    const goal = await goals.next('the goal reached');
    const achievedAt = goal.data!.goalAchieved.achievedAt;
    expect(new Date(achievedAt).toISOString()).toBe(achievedAt);
    expect(goal).toEqual(
      delivered({
        goalAchieved: {
          achievedAt,
          jar: { id: bike.id, name: 'Bike', goal: { progressPercent: 100, achievedAt } },
        },
      }),
    );
    const full = await updates.next(
      'the jar at its goal',
      (e) => e.data?.jarUpdated.balance.amount === '20.00',
    );
    expect(full).toEqual(
      delivered({
        jarUpdated: {
          id: bike.id,
          name: 'Bike',
          kind: 'SAVINGS',
          balance: { amount: '20.00' },
          goal: { target: { amount: '20.00' }, progressPercent: 100 },
        },
      }),
    );
    // Narrowed to the Bike jar: the Income jar's changes are not delivered here.
    expect(updates.events.map((e) => e.data?.jarUpdated.id)).toEqual(updates.events.map(() => bike.id));
    expect(goals.events).toHaveLength(1);
  });

  it('raises a budget alert when spending from an expense jar crosses 80 % of its limit', async () => {
    const eve = await person(stack, 'eve');
    await deposit(eve, 5_000n);
    const food = await createJar(eve, { name: 'Food', kind: 'EXPENSE', budgetLimit: eur(1_000n) });
    expect((await moveMoney(eve, AllocateToJarDocument, food.id, 1_000n)).status).toBe('COMPLETED');
    const alerts = watch(live(eve).ws, {
      query: /* GraphQL */ `
        subscription {
          budgetAlert {
            thresholdPercent spent { amount } limit { amount }
            jar { id name budget { spent { amount } remaining { amount } } }
          }
        }
      `,
    });
    await listening(eve);
    expect((await moveMoney(eve, SpendFromJarDocument, food.id, 700n)).status).toBe('COMPLETED');
    expect((await moveMoney(eve, SpendFromJarDocument, food.id, 150n)).status).toBe('COMPLETED');
    expect(await alerts.next('the 80 % alert')).toEqual(
      delivered({
        budgetAlert: {
          thresholdPercent: 80,
          spent: { amount: '8.50' },
          limit: { amount: '10.00' },
          jar: {
            id: food.id,
            name: 'Food',
            budget: { spent: { amount: '8.50' }, remaining: { amount: '1.50' } },
          },
        },
      }),
    );
    expect(alerts.events).toHaveLength(1);
  });
});

describe('what the subscription endpoint refuses', () => {
  it('closes the socket with 4401 for a forged token, before any event', async () => {
    const client = createLiveClient({
      url: stack.url,
      token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
      options: { retryAttempts: 0 },
    });
    clients.push(client);
    const closing = closed(client);
    const events = collect(client.subscribe(OperationUpdatedDocument, {}));
    expect(await closing).toEqual({
      code: 4401,
      reason: 'Unauthorized: a valid bearer token is required in connection_init',
    });
    await events.done;
    expect(events.items).toEqual([]);
  });

  it('closes the socket with 4401 when connection_init carries no token', async () => {
    const ws = createWsClient({ url: stack.url.replace(/^http/, 'ws'), retryAttempts: 0 });
    try {
      const closing = closed(ws);
      const refused = watch(ws, { query: 'subscription { goalAchieved { achievedAt } }' });
      expect(await closing).toEqual({
        code: 4401,
        reason: 'Unauthorized: a valid bearer token is required in connection_init',
      });
      expect(await refused.ended).toEqual({ kind: 'errors', errors: [{ message: 'socket: 4401' }] });
    } finally {
      await ws.dispose();
    }
  });

  it('closes a user’s connection past the cap (SUBSCRIPTIONS_PER_USER sockets) with 4029, which the SDK does not retry', async () => {
    const gus = await person(stack, 'gus');
    const [first, second] = [live(gus), live(gus)];
    const opened = [
      collect(first.subscribe(OperationUpdatedDocument, {})),
      collect(second.subscribe(OperationUpdatedDocument, {})),
    ];
    await Promise.all([connected(first), connected(second)]);
    // The SDK's own retry rule (no retryAttempts: 0 here): the refusal ends the subscription at once.
    const third = createLiveClient({ url: stack.url, token: gus.token });
    clients.push(third);
    const closing = closed(third);
    const refused = watch(third.ws, { query: 'subscription { goalAchieved { achievedAt } }' });
    expect(await closing).toEqual({
      code: closeCodes.tooManyConnections,
      reason: 'Too many connections: at most 2 per user',
    });
    expect(closeCodes.tooManyConnections).toBe(4029);
    // A retry would wait a second at least before trying again (graphql-ws's retryWait).
    const ending = await waitFor('the refusal, not retried', async () => refused.ending, {
      timeoutMs: 1_000,
    });
    expect(ending).toEqual({ kind: 'errors', errors: [{ message: 'socket: 4029' }] });
    await first.dispose();
    // A closed socket frees its place, once the gateway has seen it close.
    await waitFor('a place freed by the closed socket', async () => {
      const next = live(gus);
      const ending = closed(next);
      collect(next.subscribe(OperationUpdatedDocument, {}));
      const accepted = await Promise.race([connected(next).then(() => true), ending.then(() => false)]);
      if (!accepted) await next.dispose();
      return accepted || undefined;
    });
    expect(opened).toHaveLength(2);
  });

  it('refuses a query sent over WebSocket with BAD_REQUEST: queries and mutations go over HTTP', async () => {
    const fay = await person(stack, 'fay');
    const client = live(fay);
    const query = watch(client.ws, { query: '{ me { id email } }' });
    const mutation = watch(client.ws, {
      query: 'mutation ($id: ID!) { archiveWallet(id: $id) { id status } }',
      variables: { id: fay.walletId },
    });
    const refusal = {
      kind: 'errors',
      errors: [
        {
          message: 'Only subscriptions are served over WebSocket: send queries and mutations over HTTP.',
          extensions: { code: 'BAD_REQUEST' },
        },
      ],
    };
    expect(await query.ended).toEqual(refusal);
    expect(await mutation.ended).toEqual(refusal);
    expect(query.events).toEqual([]);
    const me = await postGraphQL(
      stack.url,
      { query: '{ me { defaultWallet { status } } }' },
      { headers: { authorization: `Bearer ${fay.token}` } },
    );
    expect(me.data).toEqual({ me: { defaultWallet: { status: 'ACTIVE' } } });
  });

  it('answers a subscription sent over HTTP with a clear BAD_REQUEST pointing at graphql-ws', async () => {
    const gus = await person(stack, 'gus');
    const answer = await postGraphQL(
      stack.url,
      { query: 'subscription { goalAchieved { achievedAt } }' },
      { headers: { authorization: `Bearer ${gus.token}` } },
    );
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    // This stack runs as `pnpm start` does (NODE_ENV=development): errors carry a stack trace.
    expect(answer.errors).toEqual([
      {
        message: subscriptionOverHttpMessage,
        extensions: { code: 'BAD_REQUEST', stacktrace: expect.any(Array) },
      },
    ]);
  });

  it('caps open subscriptions per user across sockets, and completing one frees its slot', async () => {
    const hal = await person(stack, 'hal');
    const [first, second] = [live(hal), live(hal)];
    const settlements = watch<{ operationUpdated: { id: string } }>(first.ws, {
      query: 'subscription { operationUpdated { id status } }',
    });
    const balances = watch<{ balanceChanged: { delta: { minorUnits: string } } }>(first.ws, {
      query: 'subscription { balanceChanged { delta { minorUnits } } }',
    });
    const goal = { query: 'subscription { goalAchieved { achievedAt } }' };
    const rateLimited = {
      kind: 'errors',
      errors: [
        {
          message: 'At most 2 open subscriptions per user: complete one first.',
          extensions: { code: 'RATE_LIMITED' },
        },
      ],
    };
    // Messages on one socket are handled in order: the third comes after the first two counted.
    expect(await watch(first.ws, goal).ended).toEqual(rateLimited);
    // The cap is the user's, not the socket's.
    expect(await watch(second.ws, goal).ended).toEqual(rateLimited);

    settlements.stop();
    const again = watch<{ operationUpdated: { id: string; status: string } }>(first.ws, {
      query: 'subscription { operationUpdated { id status } }',
    });
    // The freed slot is taken again: a fourth is refused.
    expect(await watch(second.ws, goal).ended).toEqual(rateLimited);

    await listening(hal);
    const op = await deposit(hal, 300n);
    expect(await again.next('the settlement on the new subscription')).toEqual(
      delivered({ operationUpdated: { id: op.id, status: 'COMPLETED' } }),
    );
    expect(await balances.next('the balance change')).toEqual(
      delivered({ balanceChanged: { delta: { minorUnits: '300' } } }),
    );
    expect(settlements.events).toEqual([]);
  });
});

function waitForItems<T>(items: T[], what: string): Promise<T[]> {
  return waitFor(what, async () => (items.length > 0 ? items : undefined), { timeoutMs: 30_000 });
}

async function createJar(p: Person, input: Record<string, unknown>) {
  const res = await p.client.request(CreateJarDocument, {
    input: { walletId: p.walletId, ...input } as never,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.createJar;
}

async function moveMoney(
  p: Person,
  document: typeof AllocateToJarDocument | typeof SpendFromJarDocument,
  jarId: string,
  minor: bigint,
) {
  const res = await p.client.request(document as typeof AllocateToJarDocument, {
    input: { jarId, amount: eur(minor), idempotencyKey: newKey('jar') },
    waitMs: 10_000,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  const op = (res.data as Record<string, Parameters<typeof settled>[1]>)[
    document === SpendFromJarDocument ? 'spendFromJar' : 'allocateToJar'
  ]!;
  return settled(p.client, op);
}
