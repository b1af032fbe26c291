import { waitFor } from '@walletgraph/platform/test/support/infra';
import { createLiveClient, type LiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { startIdentity, type TestIdentity } from '../support/identity.ts';
import { watch } from '../support/live.ts';
import { register } from '../support/money.ts';

/**
 * The per-user subscription cap at its edge, against the real gateway and identity (no other
 * subgraph: these subscriptions never receive an event). Two per user here.
 */

let identity: TestIdentity;
let gateway: BareGateway;

beforeAll(async () => {
  identity = await startIdentity();
  gateway = await startBareGateway({
    IDENTITY_URL: identity.url,
    JWKS_URL: identity.jwksUrl,
    SUBSCRIPTIONS_PER_USER: '2',
  });
}, 120_000);

afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

async function registered(): Promise<string> {
  return (await register(gateway.url, 'cap')).accessToken;
}

const goal = { query: 'subscription { goalAchieved { achievedAt } }' };
const overTheCap = {
  kind: 'errors',
  errors: [
    {
      message: 'At most 2 open subscriptions per user: complete one first.',
      extensions: { code: 'RATE_LIMITED' },
    },
  ],
};

describe('the per-user subscription cap', () => {
  it('lets a client at the cap complete a subscription and start another at once, every time', async () => {
    const live: LiveClient = createLiveClient({
      url: gateway.url,
      token: await registered(),
      options: { retryAttempts: 0 },
    });
    try {
      const kept = watch(live.ws, goal);
      let current = watch(live.ws, goal);
      for (let round = 0; round < 100; round++) {
        current.stop();
        current = watch(live.ws, goal);
        // One socket's messages are handled in order: once this probe is refused, the server
        // has decided on `current` too, and refusing it would have been said first.
        const probe = watch(live.ws, goal);
        expect(await probe.ended).toEqual(overTheCap);
        expect(current.ending, `round ${round}`).toBeUndefined();
      }
      expect(kept.ending).toBeUndefined();
    } finally {
      await live.dispose();
    }
  });

  it('is not bypassed by completing a subscription and subscribing again under the same id', async () => {
    const socket = new WebSocket(gateway.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const received: { id?: string; type: string; payload?: unknown }[] = [];
    socket.addEventListener('message', (event) => received.push(JSON.parse(String(event.data))));
    await new Promise((resolve) => socket.addEventListener('open', resolve, { once: true }));
    try {
      const send = (message: object) => socket.send(JSON.stringify(message));
      send({ type: 'connection_init', payload: { authorization: `Bearer ${await registered()}` } });
      await until(() => received.some((m) => m.type === 'connection_ack'));
      send({ id: 'a', type: 'subscribe', payload: goal });
      send({ id: 'b', type: 'subscribe', payload: goal });
      // A ping is answered after every message before it was handled (and what they set off
      // has settled), so each round is over before the next begins.
      const settle = async () => {
        const pongs = received.filter((m) => m.type === 'pong').length;
        send({ type: 'ping' });
        await until(() => received.filter((m) => m.type === 'pong').length > pongs);
      };
      await settle();
      for (let i = 0; i < 5; i++) {
        send({ id: 'b', type: 'complete' });
        send({ id: 'b', type: 'subscribe', payload: goal });
        await settle();
      }
      send({ id: 'c', type: 'subscribe', payload: goal });
      await until(() => received.some((m) => m.id === 'c'));
      // Every reuse of `b` was accepted (graphql-ws may also send `complete` for the old one)...
      expect(received.filter((m) => m.type === 'error' && m.id !== 'c')).toEqual([]);
      // ...and still took its slot: `a` and the last `b` hold both.
      expect(received.filter((m) => m.id === 'c')).toEqual([
        { id: 'c', type: 'error', payload: overTheCap.errors },
      ]);
    } finally {
      socket.close();
    }
  });
});

/** Polls a condition about messages already received (each arrives within a round trip). */
async function until(condition: () => boolean): Promise<void> {
  await waitFor('a message from the server', () => condition() || undefined, { intervalMs: 5 });
}
