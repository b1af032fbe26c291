import { createLiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { startIdentity, type TestIdentity } from '../support/identity.ts';
import { closed, connected, watch } from '../support/live.ts';
import { register } from '../support/money.ts';

/**
 * A subscription socket lives no longer than the token it was opened with. Identity issues
 * access tokens that last 2 seconds here; the gateway in front of it has no other subgraph,
 * since only identity is needed to sign up and verify tokens.
 */

let identity: TestIdentity;
let gateway: BareGateway;

// Not useRealStack(): identity alone, its tokens cut to 2 s, behind a bare gateway.
beforeAll(async () => {
  identity = await startIdentity({ ACCESS_TOKEN_TTL_SECONDS: '2' });
  gateway = await startBareGateway({ IDENTITY_URL: identity.url, JWKS_URL: identity.jwksUrl });
}, 120_000);

afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

describe('subscriptions and token expiry', () => {
  it('accepts a fresh token, then closes the socket with 4401 once the token expires', async () => {
    const { accessToken, accessTokenExpiresAt } = await register(gateway.url, 'short');
    const client = createLiveClient({ url: gateway.url, token: accessToken, options: { retryAttempts: 0 } });
    try {
      const opened = connected(client);
      const closing = closed(client);
      const goals = watch(client.ws, { query: 'subscription { goalAchieved { achievedAt } }' });
      await opened;
      expect(await closing).toEqual({ code: 4401, reason: 'Unauthorized: the token expired' });
      // Not before the token's own expiry.
      expect(Date.now()).toBeGreaterThanOrEqual(new Date(accessTokenExpiresAt).getTime());
      expect(await goals.ended).toEqual({ kind: 'errors', errors: [{ message: 'socket: 4401' }] });
      expect(goals.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  it('refuses an already expired token at connection_init with 4401', async () => {
    const { accessToken, accessTokenExpiresAt } = await register(gateway.url, 'stale');
    // Waits out the token's lifetime and the verifier's clock tolerance: a test of expiry needs it.
    await untilPast(new Date(accessTokenExpiresAt).getTime() + 6_000);
    const client = createLiveClient({ url: gateway.url, token: accessToken, options: { retryAttempts: 0 } });
    try {
      const closing = closed(client);
      const goals = watch(client.ws, { query: 'subscription { goalAchieved { achievedAt } }' });
      expect(await closing).toEqual({
        code: 4401,
        reason: 'Unauthorized: a valid bearer token is required in connection_init',
      });
      expect(goals.events).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

function untilPast(time: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, time - Date.now())));
}
