import type { Redis } from 'ioredis';

/**
 * Weighted budgets for the gateway's cost limits (the query cost of each live event a user
 * receives), shared by every gateway replica when they live in Redis.
 *
 * A token bucket per key: it holds at most `capacity`, refills at `capacity` per `windowMs`,
 * and a spend takes its cost out only when the bucket holds that much. Chosen over the sliding
 * log of store.ts, which keeps one entry per counted event and so cannot count a weight of
 * thousands; a bucket is two numbers per key whatever the weights. It lets a burst of up to
 * `capacity` through at once, then `capacity` per window: the usual shape of a GraphQL cost
 * budget (a client reads "try again in" and knows the refill rate).
 */
export interface CostBucket {
  /**
   * Takes `cost` from the bucket under `key` if it holds that much; otherwise takes nothing and
   * says how long until it will. Atomic: two gateways spending from one key both see the other.
   */
  spend(key: string, cost: number): Promise<Spend>;
}

export type Spend = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface CostBucketLimits {
  /** The most a bucket holds: what a subject may spend at once. */
  capacity: number;
  /** How long an empty bucket takes to fill again. */
  windowMs: number;
}

/**
 * The refill and the spend in one script, atomic across every replica. Time comes from Redis
 * (`TIME`), so replicas with skewed clocks agree; the key expires once it would be full again.
 * Returns {1, 0} when spent, {0, retryAfterMs} when refused.
 */
const spendScript = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * capacity / window)
if tokens < cost then
  return {0, math.ceil((cost - tokens) * window / capacity)}
end
tokens = tokens - cost
redis.call('HSET', key, 'tokens', tostring(tokens), 'at', now)
redis.call('PEXPIRE', key, math.ceil((capacity - tokens) * window / capacity) + 1)
return {1, 0}
`;

/**
 * Buckets in Redis, shared by every gateway replica (real mode). One round trip per spend; a
 * command that fails or takes longer than `timeoutMs` rejects, and what that means is the
 * caller's decision.
 */
export function createRedisCostBucket(
  options: CostBucketLimits & { redis: Redis; prefix: string; timeoutMs?: number },
): CostBucket {
  const { redis, prefix, capacity, windowMs } = options;
  const timeoutMs = options.timeoutMs ?? 1_000;
  redis.defineCommand('walletgraphSpendCost', { numberOfKeys: 1, lua: spendScript });
  const run = (key: string, cost: number) =>
    (
      redis as unknown as {
        walletgraphSpendCost(key: string, ...args: number[]): Promise<[number, number]>;
      }
    ).walletgraphSpendCost(prefix + key, capacity, windowMs, cost);
  return {
    async spend(key, cost) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`redis did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      try {
        const [allowed, retryAfterMs] = await Promise.race([run(key, cost), timeout]);
        return allowed === 1
          ? { allowed: true }
          : { allowed: false, retryAfterMs: Math.max(1, retryAfterMs) };
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * Buckets in this process's memory, for embedded mode (one process, no Redis): the same
 * contract. Bounded: past `maxKeys` (default 100 000) the least recently used key is dropped,
 * and its subject starts with a full bucket.
 */
export function createMemoryCostBucket(limits: CostBucketLimits & { maxKeys?: number }): CostBucket {
  const { capacity, windowMs } = limits;
  const maxKeys = limits.maxKeys ?? 100_000;
  // Map iteration follows insertion order; re-inserting a key on every spend makes it LRU.
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    async spend(key, cost) {
      const now = performance.now();
      const bucket = buckets.get(key) ?? { tokens: capacity, at: now };
      bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) * capacity) / windowMs);
      bucket.at = now;
      buckets.delete(key);
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value!);
      if (bucket.tokens < cost) {
        return {
          allowed: false,
          retryAfterMs: Math.max(1, Math.ceil(((cost - bucket.tokens) * windowMs) / capacity)),
        };
      }
      bucket.tokens -= cost;
      return { allowed: true };
    },
  };
}
