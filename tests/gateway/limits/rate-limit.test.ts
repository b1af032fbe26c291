import { randomBytes } from 'node:crypto';
import { createRedisCounterStore } from '@walletgraph/gateway/limits/redis-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../../support/gateway.ts';
import { type GraphQLAnswer, postGraphQL } from '../../support/http.ts';
import { startIdentity, type TestIdentity } from '../../support/identity.ts';
import { openTestRedis, type TestRedis } from '../../support/redis.ts';

const typename = { query: /* GraphQL */ '{ __typename }' };

/** `count` requests from one address, a few at a time, in order of sending. */
async function send(url: string, count: number, from: string, headers?: () => Record<string, string>) {
  const answers: GraphQLAnswer[] = [];
  for (let sent = 0; sent < count; sent += 25) {
    const batch = Array.from({ length: Math.min(25, count - sent) }, () =>
      postGraphQL(url, typename, { from, ...(headers ? { headers: headers() } : {}) }),
    );
    answers.push(...(await Promise.all(batch)));
  }
  return answers;
}

function expectRateLimited(answer: GraphQLAnswer, windowSeconds: number) {
  expect(answer.status).toBe(429);
  const retryAfter = Number(answer.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(windowSeconds);
  expect(answer.errors).toEqual([
    {
      message: expect.stringMatching(/too many requests/),
      extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
    },
  ]);
}

describe('the gateway rate limit per client address, counted in Redis', () => {
  let redis: TestRedis;
  let gateway: BareGateway;
  let proxied: BareGateway;
  beforeAll(async () => {
    redis = await openTestRedis('rate-limit');
    const store = createRedisCounterStore({ redis: redis.redis, prefix: redis.prefix });
    // The defaults: 300 requests per address per minute, no trusted proxy.
    gateway = await startBareGateway({}, { counterStore: store });
    proxied = await startBareGateway(
      { TRUST_PROXY: '1', RATE_LIMIT_PER_ADDRESS: '3' },
      { counterStore: createRedisCounterStore({ redis: redis.redis, prefix: `${redis.prefix}proxied:` }) },
    );
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await proxied?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  it('answers the 301st request in a minute from one address with 429, Retry-After and RATE_LIMITED', async () => {
    const answers = await send(gateway.url, 300, '127.0.1.1');
    expect(answers.filter((a) => a.status === 200)).toHaveLength(300);
    const [refused] = await send(gateway.url, 1, '127.0.1.1');
    expectRateLimited(refused!, 60);
    expect(refused!.headers['x-correlation-id']).toBeTruthy();
  });

  it('keeps counting other addresses apart', async () => {
    await send(gateway.url, 300, '127.0.1.2');
    const [other] = await send(gateway.url, 1, '127.0.1.3');
    expect(other!.status).toBe(200);
  });

  it('ignores X-Forwarded-For by default: a client cannot choose its own address', async () => {
    let n = 0;
    const spoofing = () => ({ 'x-forwarded-for': `198.51.100.${++n % 250}` });
    await send(gateway.url, 300, '127.0.1.4', spoofing);
    const [refused] = await send(gateway.url, 1, '127.0.1.4', spoofing);
    expectRateLimited(refused!, 60);
  });

  it('counts each bad-token request against its address', async () => {
    const badToken = () => ({ authorization: 'Bearer not.a.jwt' });
    const answers = await send(gateway.url, 300, '127.0.1.5', badToken);
    expect(answers.every((a) => a.status === 401)).toBe(true);
    const [refused] = await send(gateway.url, 1, '127.0.1.5', badToken);
    expectRateLimited(refused!, 60);
  });

  it('behind one trusted proxy, counts the client the proxy reports, not the proxy', async () => {
    const viaProxy = (client: string) => () => ({ 'x-forwarded-for': `6.6.6.6, ${client}` });
    const first = await send(proxied.url, 4, '127.0.1.6', viaProxy('198.51.100.7'));
    expect(first.map((a) => a.status).sort()).toEqual([200, 200, 200, 429]);
    const [another] = await send(proxied.url, 1, '127.0.1.6', viaProxy('198.51.100.8'));
    expect(another!.status).toBe(200);
  });
});

describe('the gateway rate limit per signed-in user, counted in Redis', () => {
  let redis: TestRedis;
  let identity: TestIdentity;
  /** Two gateway replicas sharing one Redis, as deployed: a user's requests count together. */
  let replicas: [BareGateway, BareGateway];
  beforeAll(async () => {
    redis = await openTestRedis('user-rate-limit');
    identity = await startIdentity();
    const replica = () =>
      startBareGateway(
        { IDENTITY_URL: identity.url, JWKS_URL: identity.jwksUrl, RATE_LIMIT_PER_USER: '3' },
        { counterStore: createRedisCounterStore({ redis: redis.redis, prefix: redis.prefix }) },
      );
    replicas = [await replica(), await replica()];
  });
  afterAll(async () => {
    for (const replica of replicas ?? []) await replica[Symbol.asyncDispose]();
    await identity?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  /** A real account, registered through the gateway; its token verifies against identity's JWKS. */
  async function signedUp(): Promise<{ id: string; as: () => Record<string, string> }> {
    const email = `limited.${randomBytes(4).toString('hex')}@example.com`;
    const answer = await postGraphQL(
      replicas[0].url,
      {
        query: /* GraphQL */ `mutation ($input: RegisterInput!) { register(input: $input) { accessToken user { id } } }`,
        variables: { input: { email, password: 'correct horse battery staple 42', displayName: 'Ada' } },
      },
      { from: '127.0.4.250' },
    );
    expect(answer.errors).toBeUndefined();
    const { accessToken, user } = answer.data.register;
    return { id: user.id, as: () => ({ authorization: `Bearer ${accessToken}` }) };
  }

  const ask = (replica: 0 | 1, from: string, headers?: Record<string, string>) =>
    postGraphQL(replicas[replica].url, typename, { from, ...(headers ? { headers } : {}) });

  it('answers a user’s 4th request in a minute with 429, Retry-After and RATE_LIMITED, whatever address and replica it comes through', async () => {
    const ada = await signedUp();
    const allowed = [
      await ask(0, '127.0.4.1', ada.as()),
      await ask(1, '127.0.4.2', ada.as()),
      await ask(0, '127.0.4.3', ada.as()),
    ];
    expect(allowed.map((a) => [a.status, a.data])).toEqual(Array(3).fill([200, { __typename: 'Query' }]));
    expect(await redis.redis.zcard(`${redis.prefix}user:${ada.id}`)).toBe(3);

    const refused = await ask(1, '127.0.4.4', ada.as());
    expectRateLimited(refused, 60);
    expect(await redis.redis.zcard(`${redis.prefix}user:${ada.id}`)).toBe(3);
  });

  it('leaves another user, and anonymous requests, at the same address unaffected', async () => {
    const [ada, grace] = [await signedUp(), await signedUp()];
    for (let i = 0; i < 3; i++) expect((await ask(0, '127.0.4.5', ada.as())).status).toBe(200);
    expectRateLimited(await ask(0, '127.0.4.5', ada.as()), 60);

    const other = await ask(0, '127.0.4.5', grace.as());
    expect([other.status, other.data, other.errors]).toEqual([200, { __typename: 'Query' }, undefined]);
    const anonymous = await ask(1, '127.0.4.5');
    expect([anonymous.status, anonymous.data, anonymous.errors]).toEqual([
      200,
      { __typename: 'Query' },
      undefined,
    ]);
  });
});
