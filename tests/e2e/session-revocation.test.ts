import { waitFor } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import { createLiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { postGraphQL } from '../support/http.ts';
import { startIdentity, type TestIdentity } from '../support/identity.ts';
import { closed, connected, watch } from '../support/live.ts';
import { register } from '../support/money.ts';

/**
 * Ending every session (sign-out everywhere, a password change) ends it everywhere: access tokens
 * issued before are refused and live sockets opened with them close, on every gateway replica.
 * Identity and two gateway replicas in real mode, sharing Redis; only identity is needed.
 */

let identity: TestIdentity;
let replicas: BareGateway[];

// Not useRealStack(): identity alone behind two gateway replicas is all this needs.
beforeAll(async () => {
  identity = await startIdentity();
  const env = {
    IDENTITY_URL: identity.url,
    JWKS_URL: identity.jwksUrl,
    EVENTS_EXCHANGE: identity.exchange,
    DATABASE_URL: testServices.postgres,
    AMQP_URL: testServices.amqp,
    REDIS_URL: testServices.redis,
  };
  replicas = await Promise.all([startBareGateway(env), startBareGateway(env)]);
}, 120_000);

afterAll(async () => {
  await Promise.all((replicas ?? []).map((r) => r[Symbol.asyncDispose]()));
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

const password = 'correct horse battery staple 42';
const ended = { code: 4401, reason: 'Unauthorized: the session was ended; sign in again' };

const gql = (url: string, query: string, token?: string, variables: Record<string, unknown> = {}) =>
  postGraphQL(url, { query, variables }, token ? { headers: { authorization: `Bearer ${token}` } } : {});

const me = (url: string, token: string) => gql(url, '{ me { id } }', token);

async function signIn(url: string, email: string, pw = password): Promise<string> {
  const res = await gql(
    url,
    'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
    undefined,
    { input: { email, password: pw } },
  );
  expect(res.errors).toBeUndefined();
  return res.data.login.accessToken as string;
}

/** A live socket with one subscription open, once it is connected. */
async function liveSocket(url: string, token: string) {
  const client = createLiveClient({ url, token, options: { retryAttempts: 0 } });
  const opened = connected(client);
  const closing = closed(client);
  watch(client.ws, { query: 'subscription { goalAchieved { achievedAt } }' });
  await opened;
  return { client, closing };
}

/** Waits until `token` is refused at `url` (the revocation reaches every replica within seconds). */
const refusedAt = (url: string, token: string) =>
  waitFor(
    `the old token to be refused at ${url}`,
    async () => ((await me(url, token)).status === 401 ? true : undefined),
    { timeoutMs: 15_000, intervalMs: 100 },
  );

describe('ending every session', () => {
  it('logoutEverywhere closes the user’s sockets with 4401 and voids their tokens on every replica', async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    const { email, accessToken: phone } = await register(a, 'everywhere');
    const laptop = await signIn(b, email);
    expect((await me(b, phone)).status).toBe(200);
    const onA = await liveSocket(a, phone);
    const onB = await liveSocket(b, laptop);
    try {
      const out = await gql(a, 'mutation { logoutEverywhere }', phone);
      expect(out.data).toEqual({ logoutEverywhere: true });
      expect(await onA.closing).toEqual(ended);
      expect(await onB.closing).toEqual(ended);
      for (const url of [a, b]) {
        await refusedAt(url, phone);
        await refusedAt(url, laptop);
      }
      const refused = await me(b, laptop);
      expect(refused.errors?.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      // A new sign-in is a new session.
      const fresh = await signIn(b, email);
      expect((await me(a, fresh)).status).toBe(200);
      // And an old token opens no socket any more.
      const late = createLiveClient({ url: a, token: phone, options: { retryAttempts: 0 } });
      try {
        const closing = closed(late);
        watch(late.ws, { query: 'subscription { goalAchieved { achievedAt } }' });
        expect(await closing).toEqual(ended);
      } finally {
        await late.dispose();
      }
    } finally {
      await Promise.all([onA.client.dispose(), onB.client.dispose()]);
    }
  });

  it('changePassword voids every other token and socket, and the session it returns works', async () => {
    const [a, b] = replicas.map((r) => r.url) as [string, string];
    const { accessToken: old } = await register(a, 'rekey');
    const other = await liveSocket(b, old);
    try {
      const changed = await gql(
        a,
        'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }',
        old,
        { input: { currentPassword: password, newPassword: 'a different passphrase 43' } },
      );
      expect(changed.errors).toBeUndefined();
      const next = changed.data.changePassword.accessToken as string;
      expect(await other.closing).toEqual(ended);
      await refusedAt(b, old);
      expect((await me(b, next)).status).toBe(200);
      expect((await me(a, next)).data).toEqual({ me: { id: expect.any(String) } });
    } finally {
      await other.client.dispose();
    }
  });
});
