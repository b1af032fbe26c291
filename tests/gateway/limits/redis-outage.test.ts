import { createRedisCounterStore } from '@walletgraph/gateway/limits/redis-store';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../../support/gateway.ts';
import { postGraphQL } from '../../support/http.ts';
import { freePort } from '../../support/ports.ts';
import { unreachableRedis } from '../../support/redis.ts';

describe('the gateway limits while Redis is unreachable', () => {
  let redis: Redis;
  let gateway: BareGateway;
  beforeAll(async () => {
    redis = await unreachableRedis(await freePort());
    gateway = await startBareGateway(
      { RATE_LIMIT_PER_ADDRESS: '1', RATE_LIMIT_PER_USER: '1', LOGIN_FAILURES_PER_ADDRESS: '1' },
      { counterStore: createRedisCounterStore({ redis }) },
    );
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    redis?.disconnect();
  });

  it('fails open for the request rate limits: requests go through, unlimited', async () => {
    for (let i = 0; i < 3; i++) {
      const answer = await postGraphQL(gateway.url, { query: '{ __typename }' });
      expect(answer.status).toBe(200);
      expect(answer.data).toEqual({ __typename: 'Query' });
    }
  });

  it('fails closed for sign-in: 503 SERVICE_UNAVAILABLE, and identity is never asked', async () => {
    const answer = await postGraphQL(gateway.url, {
      query:
        /* GraphQL */ 'mutation { login(input: { email: "a@example.com", password: "p" }) { accessToken } }',
    });
    expect(answer.status).toBe(503);
    expect(answer.errors).toMatchObject([
      {
        message: 'sign-in is temporarily unavailable; try again shortly',
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      },
    ]);
  });
});
