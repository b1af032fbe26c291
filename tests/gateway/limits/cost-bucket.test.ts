import {
  type CostBucket,
  type CostBucketLimits,
  createMemoryCostBucket,
  createRedisCostBucket,
} from '@walletgraph/gateway/limits/cost-bucket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRedis, type TestRedis } from '../../support/redis.ts';

let testRedis: TestRedis;
let otherReplica: TestRedis;
beforeAll(async () => {
  testRedis = await openTestRedis('cost-bucket');
  otherReplica = await openTestRedis('cost-bucket-replica');
});
afterAll(async () => {
  await testRedis?.[Symbol.asyncDispose]();
  await otherReplica?.[Symbol.asyncDispose]();
});

let keys = 0;
/** A key no other test touches. */
const freshKey = () => `key-${++keys}`;

/** 10 at once, refilled at 10 a minute (one every 6 s). */
const limits: CostBucketLimits = { capacity: 10, windowMs: 60_000 };

/** The one contract both buckets keep; each implementation runs the same body. */
describe.each([
  ['Redis', () => createRedisCostBucket({ redis: testRedis.redis, prefix: testRedis.prefix, ...limits })],
  ['in-memory', () => createMemoryCostBucket(limits)],
])('the %s cost bucket', (_name, createBucket: () => CostBucket) => {
  let bucket: CostBucket;
  beforeAll(() => {
    bucket = createBucket();
  });

  it('spends costs while the bucket holds them, then refuses without spending, saying when it will', async () => {
    const key = freshKey();
    expect(await bucket.spend(key, 4)).toEqual({ allowed: true });
    expect(await bucket.spend(key, 4)).toEqual({ allowed: true });
    const refused = await bucket.spend(key, 4);
    expect(refused.allowed).toBe(false);
    // Two short, at one per 6 s: 12 s, less what refilled while the test ran.
    const { retryAfterMs } = refused as { retryAfterMs: number };
    expect(retryAfterMs).toBeGreaterThan(10_000);
    expect(retryAfterMs).toBeLessThanOrEqual(12_000);
    // The refusal took nothing: what is left still pays for a smaller cost.
    expect(await bucket.spend(key, 2)).toEqual({ allowed: true });
  });

  it('keeps each key apart', async () => {
    const [a, b] = [freshKey(), freshKey()];
    expect(await bucket.spend(a, 10)).toEqual({ allowed: true });
    expect(await bucket.spend(b, 10)).toEqual({ allowed: true });
    expect((await bucket.spend(a, 1)).allowed).toBe(false);
  });
});

describe('the Redis cost bucket', () => {
  it('is one bucket for every gateway replica', async () => {
    const prefix = testRedis.prefix;
    const one = createRedisCostBucket({ redis: testRedis.redis, prefix, ...limits });
    const two = createRedisCostBucket({ redis: otherReplica.redis, prefix, ...limits });
    const key = freshKey();
    expect(await one.spend(key, 6)).toEqual({ allowed: true });
    expect((await two.spend(key, 6)).allowed).toBe(false);
    expect(await two.spend(key, 4)).toEqual({ allowed: true });
  });

  it('forgets a key once its bucket would be full again', async () => {
    const bucket = createRedisCostBucket({ redis: testRedis.redis, prefix: testRedis.prefix, ...limits });
    const key = freshKey();
    await bucket.spend(key, 3);
    const ttl = await testRedis.redis.pttl(testRedis.prefix + key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(18_001);
  });
});
