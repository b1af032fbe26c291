import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createRedisClient } from '@walletgraph/platform/redis';
import { testLogger } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import type { Redis } from 'ioredis';

export interface TestRedis extends AsyncDisposable {
  /** A command connection made the way the runtime makes one (no offline queue), already connected. */
  readonly redis: Redis;
  /** A key prefix no other test or run uses; every key under it is deleted on dispose. */
  readonly prefix: string;
}

/** The test Redis with a key prefix of its own. */
export async function openTestRedis(label: string): Promise<TestRedis> {
  const redis = createRedisClient(testServices.redis, { logger: testLogger(label), role: `test-${label}` });
  if (redis.status !== 'ready') await once(redis, 'ready');
  const prefix = `wgtest:${label}:${randomBytes(4).toString('hex')}:`;
  return {
    redis,
    prefix,
    async [Symbol.asyncDispose]() {
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** A client for a Redis that is not there: every command fails at once, as during an outage. */
export async function unreachableRedis(port: number): Promise<Redis> {
  return createRedisClient(`redis://127.0.0.1:${port}`, {
    logger: testLogger('no-redis'),
    role: 'test-down',
  });
}
