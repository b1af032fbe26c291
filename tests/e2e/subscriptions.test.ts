import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  BalanceChangedDocument,
  createLiveClient,
  type LiveClient,
  OperationUpdatedDocument,
} from '@walletgraph/sdk';
import type { ExecutionResult } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deposit, type Person, person } from '../support/money.ts';
import { startRealStack, type TestStack } from '../support/stack.ts';

/**
 * Live updates through the gateway's graphql-ws server, in real mode: each event read through the
 * supergraph as its subscriber, on channels chosen from the verified token.
 */

let stack: TestStack;
const clients: LiveClient[] = [];

beforeAll(async () => {
  stack = await startRealStack();
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await stack?.[Symbol.asyncDispose]();
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

/** Waits until the socket is open and subscribed (the server acknowledged connection_init). */
async function connected(client: LiveClient): Promise<void> {
  await new Promise<void>((resolve) => {
    const off = client.ws.on('connected', () => {
      off();
      resolve();
    });
  });
}

describe('subscriptions through the gateway, real mode', () => {
  it('delivers a balance change with a payload selected across subgraphs, to its owner only', async () => {
    const [ada, bob] = await Promise.all([person(stack, 'ada'), person(stack, 'bob')]);
    const adaLive = live(ada);
    const bobLive = live(bob);
    const adaEvents = collect(adaLive.subscribe(BalanceChangedDocument, { walletId: ada.walletId }));
    // Bob asks for Ada's wallet by id: the id only narrows his own channel, so he gets nothing.
    const bobEvents = collect(bobLive.subscribe(BalanceChangedDocument, { walletId: ada.walletId }));
    await Promise.all([connected(adaLive), connected(bobLive)]);
    await new Promise((resolve) => setTimeout(resolve, 200));

    const op = await deposit(ada, 2_500n);
    expect(op.status).toBe('COMPLETED');
    const [event] = await waitFor('Ada’s balance event', async () =>
      adaEvents.items.length > 0 ? adaEvents.items : undefined,
    );
    expect(event).toEqual({
      data: {
        balanceChanged: {
          delta: { amount: '25.00', currency: 'EUR', minorUnits: '2500' },
          wallet: {
            id: ada.walletId,
            balance: { total: { amount: '25.00', minorUnits: '2500' }, available: { minorUnits: '2500' } },
            owner: { email: ada.email },
            jars: [{ name: 'Income', balance: { amount: '0.00' } }],
          },
          operation: { id: op.id, kind: 'DEPOSIT', status: 'COMPLETED' },
        },
      },
    } satisfies ExecutionResult);
    await deposit(bob, 100n);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(bobEvents.items).toEqual([]);
  });

  it('tells an operation’s owner when it settles', async () => {
    const cyd = await person(stack, 'cyd');
    const cydLive = live(cyd);
    const events = collect(cydLive.subscribe(OperationUpdatedDocument, {}));
    await connected(cydLive);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const op = await deposit(cyd, 700n);
    const [event] = await waitFor('the settlement event', async () =>
      events.items.length > 0 ? events.items : undefined,
    );
    expect(event?.data?.operationUpdated).toMatchObject({ id: op.id, status: 'COMPLETED', kind: 'DEPOSIT' });
  });

  it('closes the socket with 4401 for a forged token, before any event', async () => {
    const closed = new Promise<number>((resolve) => {
      const client = createLiveClient({
        url: stack.url,
        token: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
        options: { retryAttempts: 0, on: { closed: (event) => resolve((event as CloseEvent).code) } },
      });
      clients.push(client);
      collect(client.subscribe(OperationUpdatedDocument, {}));
    });
    expect(await closed).toBe(4401);
  });
});
