import { createHash, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CounterStore, Hit, WindowLimit } from './store.ts';

export interface RedisCounterStoreOptions {
  /** A command connection (not one in subscriber mode); the runtime's `pubsub.redis`. */
  redis: Redis;
  /** Prepended to every key, so the counters are easy to find and never collide. Default `wg:rl:`. */
  prefix?: string;
  /**
   * How long a command may take before it is treated as a Redis failure, so a stalled Redis
   * delays a request by at most this much. Default 1000 ms.
   */
  timeoutMs?: number;
}

/**
 * The sliding log in one Lua script, so the prune, the count and the add are atomic across
 * every gateway replica. Each key is a sorted set of event ids scored by time; time comes from
 * Redis (`TIME`), so replicas with skewed clocks agree. The key expires a window after its
 * newest event, when every event in it has aged out: nothing accumulates.
 * Returns {1, count, 0} when counted, {0, count, retryAfterMs} when refused.
 */
const hitScript = `
local key = KEYS[1]
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  return {1, count + 1, 0}
end
local freeing = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
return {0, count, tonumber(freeing[2]) + window - now}
`;
const hitScriptSha = createHash('sha1').update(hitScript).digest('hex');

/**
 * Counters in Redis, shared by every gateway replica (real mode). Commands fail at once while
 * Redis is unreachable (the runtime's connection has no offline queue); what that means for a
 * request is the caller's decision (see rate-limit.ts and login-throttle.ts).
 */
export function createRedisCounterStore(options: RedisCounterStoreOptions): CounterStore {
  const { redis } = options;
  const prefix = options.prefix ?? 'wg:rl:';
  const timeoutMs = options.timeoutMs ?? 1_000;

  const runHit = async (key: string, args: (string | number)[]): Promise<unknown> => {
    try {
      return await redis.evalsha(hitScriptSha, 1, key, ...args);
    } catch (error) {
      // Redis forgets scripts on restart or SCRIPT FLUSH; EVAL loads it again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(hitScript, 1, key, ...args);
    }
  };

  return {
    async hit(key, window: WindowLimit): Promise<Hit> {
      const id = randomUUID();
      const reply = await withTimeout(runHit(prefix + key, [window.windowMs, window.limit, id]), timeoutMs);
      const [allowed, count, retryAfterMs] = reply as [number, number, number];
      return allowed === 1
        ? { allowed: true, count, id }
        : { allowed: false, count, retryAfterMs: Math.max(1, retryAfterMs) };
    },
    async release(key, id) {
      await withTimeout(redis.zrem(prefix + key, id), timeoutMs);
    },
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
