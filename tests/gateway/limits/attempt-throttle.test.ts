import { randomBytes } from 'node:crypto';
import { attemptThrottleKey } from '@walletgraph/gateway/limits/attempt-throttle';
import { createRedisCounterStore } from '@walletgraph/gateway/limits/redis-store';
import type { CounterStore } from '@walletgraph/gateway/limits/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../../support/gateway.ts';
import { postGraphQL } from '../../support/http.ts';
import { openTestRedis, type TestRedis } from '../../support/redis.ts';

const login = (email: string) => ({
  query: /* GraphQL */ 'mutation ($input: LoginInput!) { login(input: $input) { accessToken } }',
  variables: { input: { email, password: 'whatever it is' } },
});
const someEmail = () => `someone.${randomBytes(4).toString('hex')}@example.com`;

/**
 * The sign-in throttle with its counts in Redis, on a gateway whose subgraphs are not running:
 * an answer from the throttle is by construction an answer that never reached identity. How
 * identity's answers are counted is specified with the whole supergraph (embedded.test.ts).
 */
describe('the gateway sign-in throttle per client address, counted in Redis', () => {
  let redis: TestRedis;
  let store: CounterStore;
  let gateway: BareGateway;
  beforeAll(async () => {
    redis = await openTestRedis('login-throttle');
    store = createRedisCounterStore({ redis: redis.redis, prefix: redis.prefix });
    // The defaults: 50 failed sign-ins per address per 15 minutes.
    gateway = await startBareGateway({}, { counterStore: store });
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  /** What 50 failed sign-ins from `address` leave in the counters (as other replicas may have). */
  async function fiftyFailuresFrom(address: string) {
    for (let i = 0; i < 50; i++) {
      await store.hit(attemptThrottleKey('login', address), { limit: 50, windowMs: 15 * 60_000 });
    }
  }

  it('answers TOO_MANY_ATTEMPTS with 429 and Retry-After once an address has 50 failures, before identity', async () => {
    await fiftyFailuresFrom('127.0.2.1');
    const refused = await postGraphQL(gateway.url, login(someEmail()), { from: '127.0.2.1' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(15 * 60 - 30);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(refused.data).toBeUndefined();
    // (Outside production Apollo adds a stacktrace; nothing else is said.)
    expect(refused.errors).toMatchObject([
      {
        message: 'too many failed sign-in attempts; try again later',
        extensions: { code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: retryAfter },
      },
    ]);
  });

  it('lets another address try', async () => {
    const other = await postGraphQL(gateway.url, login(someEmail()), { from: '127.0.2.2' });
    expect(other.status).toBe(200);
    // Identity is not running, so the attempt reaches the gateway's planner and fails there.
    expect(other.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('does not count an attempt that failed for another reason than the credentials', async () => {
    for (let i = 0; i < 60; i++) {
      const answer = await postGraphQL(gateway.url, login(someEmail()), { from: '127.0.2.3' });
      expect(answer.status).toBe(200);
    }
  });

  it('leaves other operations from a throttled address alone', async () => {
    await fiftyFailuresFrom('127.0.2.4');
    const other = await postGraphQL(gateway.url, { query: '{ __typename }' }, { from: '127.0.2.4' });
    expect(other.status).toBe(200);
  });
});

const register = (email: string) => ({
  query: /* GraphQL */ 'mutation ($input: RegisterInput!) { register(input: $input) { accessToken } }',
  variables: { input: { email, password: 'a long enough passphrase', displayName: 'Someone' } },
});

describe('the gateway registration limit per client address, counted in Redis', () => {
  let redis: TestRedis;
  let gateway: BareGateway;
  beforeAll(async () => {
    redis = await openTestRedis('registration-throttle');
    const store = createRedisCounterStore({ redis: redis.redis, prefix: redis.prefix });
    gateway = await startBareGateway({ REGISTRATIONS_PER_ADDRESS: '3' }, { counterStore: store });
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await redis?.[Symbol.asyncDispose]();
  });

  it('counts every registration attempt of an address and refuses past the limit with RATE_LIMITED, 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      // Identity is not running: each attempt reaches the planner, and still counts.
      const answer = await postGraphQL(gateway.url, register(someEmail()), { from: '127.0.3.1' });
      expect(answer.status).toBe(200);
    }
    const refused = await postGraphQL(gateway.url, register(someEmail()), { from: '127.0.3.1' });
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3600 - 30);
    expect(refused.errors).toMatchObject([
      {
        message: 'too many registrations from this address; try again later',
        extensions: { code: 'RATE_LIMITED', retryAfterSeconds: retryAfter },
      },
    ]);
    const other = await postGraphQL(gateway.url, register(someEmail()), { from: '127.0.3.2' });
    expect(other.status).toBe(200);
  });
});

describe('one password-hashing field per request', () => {
  let gateway: BareGateway;
  beforeAll(async () => {
    gateway = await startBareGateway({});
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
  });

  it('refuses aliased sign-ins, registrations and password changes in one operation, before identity', async () => {
    const input = '(input: { email: "x@example.com", password: "p" }) { accessToken }';
    const answer = await postGraphQL(
      gateway.url,
      {
        query: `mutation { a: login${input} b: login${input} c: register(input: { email: "y@example.com", password: "p", displayName: "Y" }) { accessToken } }`,
      },
      { from: '127.0.3.3' },
    );
    expect(answer.status).toBe(400);
    expect(answer.errors).toMatchObject([
      {
        message: 'at most one of register, login, changePassword per request; this one has 3 (a, b, c)',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
    ]);
  });
});
