import { feedChannel } from '@walletgraph/platform/live/feed';
import { createClient, createLiveClient, type LiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startGatewayReplica } from '../support/gateway.ts';
import { closed, delivered, untilListening, userIdOf, type Watch, watch } from '../support/live.ts';
import { deposit, person } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Two gateway processes in front of one supergraph, sharing Redis and nothing else: the stack's
 * own gateway and a replica in this test process. A client may be connected to either; no
 * sticky sessions.
 */

const stack = useRealStack();
let replica: BareGateway;
let redis: TestRedis;
const clients: LiveClient[] = [];

beforeAll(async () => {
  [replica, redis] = await Promise.all([startGatewayReplica(stack.config), openTestRedis('replicas')]);
}, 180_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await replica?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
}, 60_000);

type BalanceEvent = {
  balanceChanged: {
    delta: { minorUnits: string };
    wallet: { id: string; balance: { total: { minorUnits: string } }; owner: { email: string } };
    operation: { id: string };
  };
};

const balanceChanged = /* GraphQL */ `
  subscription {
    balanceChanged {
      delta { minorUnits }
      wallet { id balance { total { minorUnits } } owner { email } }
      operation { id }
    }
  }
`;

describe('subscriptions across gateway replicas', () => {
  it('delivers each event to subscribers on both gateways, whichever gateway the mutation went through', async () => {
    const ivy = await person(stack, 'ivy');
    const subscriber = (url: string): Watch<BalanceEvent> => {
      const client = createLiveClient({ url, token: ivy.token, options: { retryAttempts: 0 } });
      clients.push(client);
      return watch<BalanceEvent>(client.ws, { query: balanceChanged });
    };
    const onMain = subscriber(stack.url);
    const onReplica = subscriber(replica.url);
    // Each gateway process listens on Ivy's channel with its own Redis connection.
    await untilListening(redis.redis, userIdOf(ivy.token), 2);

    const expected = (opId: string, delta: string, total: string) =>
      delivered({
        balanceChanged: {
          delta: { minorUnits: delta },
          wallet: {
            id: ivy.walletId,
            balance: { total: { minorUnits: total } },
            owner: { email: ivy.email },
          },
          operation: { id: opId },
        },
      });
    const of = (opId: string) => (e: { data?: BalanceEvent | null }) =>
      e.data?.balanceChanged.operation.id === opId;

    const throughMain = await deposit(ivy, 400n);
    expect(await onReplica.next('the replica’s event', of(throughMain.id))).toEqual(
      expected(throughMain.id, '400', '400'),
    );
    expect(await onMain.next('the main gateway’s event', of(throughMain.id))).toEqual(
      expected(throughMain.id, '400', '400'),
    );

    const viaReplica = { ...ivy, client: createClient({ url: replica.url, token: ivy.token }) };
    const throughReplica = await deposit(viaReplica, 600n);
    expect(await onMain.next('the main gateway’s event', of(throughReplica.id))).toEqual(
      expected(throughReplica.id, '600', '1000'),
    );
    expect(await onReplica.next('the replica’s event', of(throughReplica.id))).toEqual(
      expected(throughReplica.id, '600', '1000'),
    );
    expect(onMain.events).toHaveLength(2);
    expect(onReplica.events).toHaveLength(2);
  });

  it('a gateway that stops closes its sockets with 1001 (Going away) and lets go of Redis; the others keep serving', async () => {
    const joe = await person(stack, 'joe');
    const leaving = await startGatewayReplica(stack.config);
    let stopped = false;
    try {
      const client = createLiveClient({ url: leaving.url, token: joe.token, options: { retryAttempts: 0 } });
      clients.push(client);
      const onLeaving = watch<BalanceEvent>(client.ws, { query: balanceChanged });
      const closing = closed(client);
      await untilListening(redis.redis, userIdOf(joe.token));

      await leaving[Symbol.asyncDispose]();
      stopped = true;
      expect(await closing).toEqual({ code: 1001, reason: 'Going away' });
      expect(await onLeaving.ended).toEqual({ kind: 'errors', errors: [{ message: 'socket: 1001' }] });
      const [, listeners] = (await redis.redis.pubsub('NUMSUB', feedChannel(userIdOf(joe.token)))) as [
        string,
        number,
      ];
      expect(Number(listeners)).toBe(0);
      // The stack's own gateway still serves Joe.
      const main = createLiveClient({ url: stack.url, token: joe.token, options: { retryAttempts: 0 } });
      clients.push(main);
      const onMain = watch<BalanceEvent>(main.ws, { query: balanceChanged });
      await untilListening(redis.redis, userIdOf(joe.token));
      const op = await deposit(joe, 250n);
      expect(
        (await onMain.next('the event on the remaining gateway')).data?.balanceChanged.operation.id,
      ).toBe(op.id);
      onMain.stop();
    } finally {
      if (!stopped) await leaving[Symbol.asyncDispose]();
    }
  });
});
