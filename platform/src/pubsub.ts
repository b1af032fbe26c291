import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Redis } from 'ioredis';
import { type FeedEntry, feedChannel, toFeedMessage } from './live/feed.ts';
import type { Logger } from './logger.ts';
import { createRedisClient } from './redis.ts';

export { type LiveNotice, type LiveTopic, liveNoticeObjectId, readLiveNotice } from '@walletgraph/events';

/**
 * Publishes stored feed entries on their users' channels (`feedChannel`), for the gateways to
 * deliver live. At most once, and that is enough: a gateway that misses one sees the hole in the
 * positions and reads it from the feed (docs/architecture.md §8).
 */
export interface FeedPublisher {
  publish(entries: readonly FeedEntry[]): Promise<void>;
}

function feedPublisher(engine: PubSubEngine): FeedPublisher {
  return {
    async publish(entries) {
      await Promise.all(
        entries.map((entry) => engine.publish(feedChannel(entry.userId), toFeedMessage(entry))),
      );
    },
  };
}

export interface PubSubHandle {
  readonly engine: PubSubEngine;
  readonly publisher: FeedPublisher;
  /**
   * The Redis connection notices are published on, shared by other short commands of this
   * process (the gateway's rate-limit counters) so a process keeps one command connection.
   * Null in embedded mode. Commands fail at once while it is disconnected (no offline queue).
   */
  readonly redis: Redis | null;
  /** Throws when Redis is unreachable; for readiness probes. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the subscribing connection is back after it was lost (never in
   * embedded mode): whatever was published meanwhile reached no one here. Returns an unsubscribe.
   */
  onReconnected(listener: () => void): () => void;
  close(): Promise<void>;
}

/**
 * Redis pub/sub in real mode (shared by every gateway replica), in-memory in embedded mode.
 * Redis pub/sub is at-most-once: a subscriber that is reconnecting misses what is published
 * meanwhile, which the gateway reads from the feed when it notices (docs/architecture.md §8).
 */
export function createPubSub(options: { redisUrl?: string; logger: Logger }): PubSubHandle {
  if (!options.redisUrl) {
    const engine = new PubSub();
    return {
      engine,
      publisher: feedPublisher(engine),
      redis: null,
      async ping() {},
      onReconnected: () => () => {},
      async close() {},
    };
  }
  const { logger } = options;
  const publisher = createRedisClient(options.redisUrl, { logger, role: 'publisher' });
  const subscriber = createRedisClient(options.redisUrl, {
    logger,
    role: 'subscriber',
    offlineQueue: true,
    readyCheck: false,
  });
  const engine = new RedisPubSub({ publisher, subscriber });
  let lost = false;
  subscriber.on('close', () => {
    lost = true;
  });
  const reconnected = new Set<() => void>();
  subscriber.on('ready', () => {
    if (!lost) return;
    lost = false;
    for (const listener of reconnected) listener();
  });
  return {
    engine,
    publisher: feedPublisher(engine),
    redis: publisher,
    async ping() {
      const reply = await publisher.ping();
      if (reply !== 'PONG') throw new Error(`redis ping answered ${reply}`);
    },
    onReconnected(listener) {
      reconnected.add(listener);
      return () => reconnected.delete(listener);
    },
    async close() {
      await engine.close();
    },
  };
}
