import { createLiveNotice, type LiveNotice, type LiveTopic } from '@walletgraph/events';
import { RedisPubSub } from 'graphql-redis-subscriptions';
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import type { Redis } from 'ioredis';
import type { Logger } from './logger.ts';
import { createRedisClient } from './redis.ts';

export { type LiveNotice, type LiveTopic, liveNoticeObjectId, readLiveNotice } from '@walletgraph/events';

/**
 * Channels are per user and chosen from the verified token only, never from client arguments
 * (docs/architecture.md §8).
 */
export function userChannel(userId: string, topic: LiveTopic): string {
  return `user:${userId}:${topic}`;
}

export interface Publisher {
  /**
   * Publishes a notice (contracts/events live-notices.ts) after a state change committed; throws
   * InvalidLiveNoticeError, before anything is sent, for one that breaks its topic's contract.
   */
  publish<T extends LiveTopic>(userId: string, topic: T, notice: LiveNotice<T>): Promise<void>;
}

/** A live notice addressed to one user; its topic decides what its notice holds. */
export type AddressedNotice = {
  [T in LiveTopic]: { userId: string; topic: T; notice: LiveNotice<T> };
}[LiveTopic];

/**
 * Publishes live notices, all at once; rejects when any fails. Inside a consumer's handler that
 * makes the broker retry the event (its notices come again); as an after-commit task the
 * consumer logs it (the state is committed, and notices are at-most-once anyway).
 */
export async function publishAll(publisher: Publisher, notices: readonly AddressedNotice[]): Promise<void> {
  await Promise.all(notices.map(({ userId, topic, notice }) => publisher.publish(userId, topic, notice)));
}

export interface PubSubHandle {
  readonly engine: PubSubEngine;
  readonly publisher: Publisher;
  /**
   * The Redis connection notices are published on, shared by other short commands of this
   * process (the gateway's rate-limit counters) so a process keeps one command connection.
   * Null in embedded mode. Commands fail at once while it is disconnected (no offline queue).
   */
  readonly redis: Redis | null;
  /** Throws when Redis is unreachable; for readiness probes. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Redis pub/sub in real mode (shared by every gateway replica), in-memory in embedded mode.
 * Redis pub/sub is at-most-once: a subscriber that is reconnecting misses what is published
 * meanwhile, so clients catch up by querying (see the README).
 */
export function createPubSub(options: { redisUrl?: string; logger: Logger }): PubSubHandle {
  if (!options.redisUrl) {
    const engine = new PubSub();
    return {
      engine,
      publisher: {
        async publish(userId, topic, notice) {
          await engine.publish(userChannel(userId, topic), createLiveNotice(topic, notice));
        },
      },
      redis: null,
      async ping() {},
      async close() {},
    };
  }
  const { logger } = options;
  const publisher = createRedisClient(options.redisUrl, { logger, role: 'publisher' });
  const subscriber = createRedisClient(options.redisUrl, { logger, role: 'subscriber', offlineQueue: true });
  const engine = new RedisPubSub({ publisher, subscriber });
  return {
    engine,
    publisher: {
      async publish(userId, topic, notice) {
        await engine.publish(userChannel(userId, topic), createLiveNotice(topic, notice));
      },
    },
    redis: publisher,
    async ping() {
      const reply = await publisher.ping();
      if (reply !== 'PONG') throw new Error(`redis ping answered ${reply}`);
    },
    async close() {
      await engine.close();
    },
  };
}
