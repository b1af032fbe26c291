import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryCounterStore } from '@walletgraph/gateway/limits/memory-store';
import { createRedisCounterStore } from '@walletgraph/gateway/limits/redis-store';
import type { CounterStore, Hit } from '@walletgraph/gateway/limits/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestRedis, type TestRedis } from '../../support/redis.ts';

let testRedis: TestRedis;
beforeAll(async () => {
  testRedis = await openTestRedis('counter-store');
});
afterAll(async () => {
  await testRedis?.[Symbol.asyncDispose]();
});

let keys = 0;
/** A key no other test touches. */
const freshKey = () => `key-${++keys}`;

const allowed = (hit: Hit) => hit.allowed;

/** The one contract both stores keep; each implementation runs the same body. */
describe.each([
  ['Redis', () => createRedisCounterStore({ redis: testRedis.redis, prefix: testRedis.prefix })],
  ['in-memory', () => createMemoryCounterStore()],
])('the %s counter store', (_name, createStore: () => CounterStore) => {
  let store: CounterStore;
  beforeAll(() => {
    store = createStore();
  });

  it('counts hits up to the limit, then refuses without counting, saying when a slot frees', async () => {
    const key = freshKey();
    const window = { limit: 3, windowMs: 60_000 };
    const hits = [];
    for (let i = 0; i < 5; i++) hits.push(await store.hit(key, window));
    expect(hits.map((h) => [h.allowed, h.count])).toEqual([
      [true, 1],
      [true, 2],
      [true, 3],
      [false, 3],
      [false, 3],
    ]);
    const refused = hits[4]!;
    if (refused.allowed) throw new Error('expected a refusal');
    expect(refused.retryAfterMs).toBeGreaterThan(59_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
  });

  it('keeps keys apart', async () => {
    const [a, b] = [freshKey(), freshKey()];
    const window = { limit: 1, windowMs: 60_000 };
    expect((await store.hit(a, window)).allowed).toBe(true);
    expect((await store.hit(b, window)).allowed).toBe(true);
    expect((await store.hit(a, window)).allowed).toBe(false);
  });

  it('forgets hits once they are older than the window', async () => {
    const key = freshKey();
    const window = { limit: 2, windowMs: 200 };
    await store.hit(key, window);
    await store.hit(key, window);
    expect((await store.hit(key, window)).allowed).toBe(false);
    await sleep(250);
    expect(await store.hit(key, window)).toMatchObject({ allowed: true, count: 1 });
  });

  it('slides: each hit frees its slot one window after it was counted, not at a window boundary', async () => {
    const key = freshKey();
    const window = { limit: 2, windowMs: 1_000 };
    await store.hit(key, window);
    await sleep(500);
    await store.hit(key, window);
    const refused = await store.hit(key, window);
    if (refused.allowed) throw new Error('expected a refusal');
    // The first hit leaves the window in at most 500 ms; the second stays about 500 ms longer.
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(520);
    await sleep(refused.retryAfterMs + 20);
    expect(await store.hit(key, window)).toMatchObject({ allowed: true, count: 2 });
    expect((await store.hit(key, window)).allowed).toBe(false);
  });

  it('counts 200 concurrent hits exactly, each seeing its own count', async () => {
    const key = freshKey();
    const hits = await Promise.all(
      Array.from({ length: 200 }, () => store.hit(key, { limit: 1_000, windowMs: 60_000 })),
    );
    expect(hits.every(allowed)).toBe(true);
    expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 1),
    );
    expect(await store.hit(key, { limit: 1_000, windowMs: 60_000 })).toMatchObject({ count: 201 });
  });

  it('allows exactly the limit out of 200 concurrent hits', async () => {
    const key = freshKey();
    const hits = await Promise.all(
      Array.from({ length: 200 }, () => store.hit(key, { limit: 150, windowMs: 60_000 })),
    );
    expect(hits.filter(allowed)).toHaveLength(150);
    expect(hits.filter((h) => !h.allowed).every((h) => h.count === 150)).toBe(true);
  });

  it('releases one counted hit, leaving the others', async () => {
    const key = freshKey();
    const window = { limit: 3, windowMs: 60_000 };
    const first = await store.hit(key, window);
    await store.hit(key, window);
    if (!first.allowed) throw new Error('expected the first hit to count');
    await store.release(key, first.id);
    await store.release(key, first.id);
    await store.release(key, 'an id it never gave');
    expect(await store.hit(key, window)).toMatchObject({ allowed: true, count: 2 });
  });

  it('does not let refused hits extend the wait', async () => {
    const key = freshKey();
    const window = { limit: 1, windowMs: 300 };
    await store.hit(key, window);
    for (let i = 0; i < 20; i++) expect((await store.hit(key, window)).allowed).toBe(false);
    await sleep(330);
    expect((await store.hit(key, window)).allowed).toBe(true);
  });
});

describe('the Redis counter store', () => {
  it('keeps each key under its prefix, expiring a window after its newest hit', async () => {
    const store = createRedisCounterStore({ redis: testRedis.redis, prefix: testRedis.prefix });
    const key = freshKey();
    await store.hit(key, { limit: 5, windowMs: 300 });
    const ttl = await testRedis.redis.pttl(`${testRedis.prefix}${key}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    await sleep(350);
    expect(await testRedis.redis.exists(`${testRedis.prefix}${key}`)).toBe(0);
  });
});

describe('the in-memory counter store', () => {
  it('is bounded: past maxKeys, the least recently hit key is dropped', async () => {
    const store = createMemoryCounterStore({ maxKeys: 2 });
    const window = { limit: 1, windowMs: 60_000 };
    await store.hit('a', window);
    await store.hit('b', window);
    await store.hit('a', window);
    await store.hit('c', window);
    expect((await store.hit('a', window)).allowed).toBe(false);
    expect((await store.hit('b', window)).allowed).toBe(true);
  });
});
