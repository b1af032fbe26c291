import type { Config } from '@walletgraph/platform/config';
import type { Runtime } from '@walletgraph/platform/runtime';
import { type CostBucket, createMemoryCostBucket, createRedisCostBucket } from './cost-bucket.ts';
import { createMemoryCounterStore } from './memory-store.ts';
import { createRedisCounterStore } from './redis-store.ts';
import type { CounterStore } from './store.ts';

/** Redis when the runtime has it (real mode: every replica counts together), else memory. */
export function defaultCounterStore(config: Config, runtime: Runtime): CounterStore {
  const redis = runtime.pubsub.redis;
  return redis
    ? createRedisCounterStore({ redis, prefix: config.RATE_LIMIT_KEY_PREFIX })
    : createMemoryCounterStore();
}

/**
 * Each user's budget for the cost of the live events they receive: in Redis when the runtime has
 * it (every replica spends from one bucket, beside the rate-limit counters), else in memory.
 */
export function liveCostBucket(config: Config, runtime: Runtime): CostBucket {
  const limits = { capacity: config.SUBSCRIPTION_COST_PER_USER, windowMs: config.RATE_LIMIT_WINDOW_MS };
  const redis = runtime.pubsub.redis;
  return redis
    ? createRedisCostBucket({ redis, prefix: config.RATE_LIMIT_KEY_PREFIX, ...limits })
    : createMemoryCostBucket(limits);
}
