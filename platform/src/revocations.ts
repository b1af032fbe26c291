import type { Redis } from 'ioredis';
import type { Logger } from './logger.ts';
import type { PubSubHandle } from './pubsub.ts';

/**
 * Per-user "not before" times: when a user signs out everywhere or changes their password, every
 * access token issued before that moment is refused by the gateway and every live socket opened
 * with one is closed, on every replica, within seconds, rather than living on until it expires
 * (up to ACCESS_TOKEN_TTL_SECONDS).
 *
 * Shared through Redis: a sorted set (`<prefix>:revocations`, user id scored by its not-before in
 * milliseconds) that any process can read, and a pub/sub channel that tells the gateways at once. Each
 * gateway keeps the set in memory (a lookup per request, no round trip) and reads it again every
 * `syncEveryMs`, so a message missed while its subscriber reconnected is caught up within
 * that time. Entries older than a token's lifetime are dropped: every token issued before them
 * has expired anyway. Embedded mode keeps it all in memory, shared by the one process.
 */
export interface Revocations {
  /** Revokes `userId`'s tokens issued before `notBefore` (to the millisecond, as tokens say). */
  revoke(userId: string, notBefore: Date): Promise<void>;
  /** Whether a token of `userId` issued at `issuedAt` has been revoked (this process's view). */
  isRevoked(userId: string, issuedAt: Date): boolean;
  /** Calls `listener` for every revocation this process learns of; returns the unsubscribe. */
  onRevoked(listener: (userId: string, notBefore: Date) => void): () => void;
  /** Starts following revocations (subscribe and first read); revoke works without it. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface RevocationsOptions {
  pubsub: PubSubHandle;
  /** Separates deployments and test runs sharing one Redis (EVENTS_EXCHANGE). */
  prefix: string;
  /** How long a revocation matters: the access token lifetime. */
  tokenTtlSeconds: number;
  logger: Logger;
  /** Default 5 s. */
  syncEveryMs?: number;
}

interface Message {
  userId: string;
  notBefore: number;
}

export function createRevocations(options: RevocationsOptions): Revocations {
  const { pubsub, logger } = options;
  const key = `${options.prefix}:revocations`;
  const channel = `${options.prefix}:revocations`;
  const redis: Redis | null = pubsub.redis;
  const syncEveryMs = options.syncEveryMs ?? 5_000;
  /** userId → not-before, ms. */
  const known = new Map<string, number>();
  const listeners = new Set<(userId: string, notBefore: Date) => void>();
  let subscription: number | null = null;
  let timer: NodeJS.Timeout | null = null;

  const horizon = () => Date.now() - options.tokenTtlSeconds * 1000;
  function learn(userId: string, notBefore: number) {
    if ((known.get(userId) ?? 0) >= notBefore) return;
    known.set(userId, notBefore);
    for (const listener of listeners) listener(userId, new Date(notBefore));
  }
  function forgetExpired() {
    const oldest = horizon();
    for (const [userId, notBefore] of known) if (notBefore < oldest) known.delete(userId);
  }
  async function sync() {
    // Not while the connection is down or closing: the next round reads what was missed.
    if (redis?.status !== 'ready') return;
    const entries = await redis.zrangebyscore(key, horizon(), '+inf', 'WITHSCORES');
    for (let i = 0; i + 1 < entries.length; i += 2) learn(entries[i]!, Number(entries[i + 1]));
    forgetExpired();
  }

  return {
    async revoke(userId, at) {
      const notBefore = at.getTime();
      if (redis) {
        // GT: a later revocation is never replaced by an earlier one delivered late.
        await redis
          .multi()
          .zadd(key, 'GT', notBefore, userId)
          .zremrangebyscore(key, '-inf', `(${horizon()}`)
          .exec();
      }
      learn(userId, notBefore);
      await pubsub.engine.publish(channel, { userId, notBefore } satisfies Message);
    },
    isRevoked(userId, issuedAt) {
      const notBefore = known.get(userId);
      return notBefore !== undefined && issuedAt.getTime() < notBefore;
    },
    onRevoked(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      if (subscription !== null) return;
      subscription = await pubsub.engine.subscribe(
        channel,
        (message: Message) => learn(message.userId, message.notBefore),
        {},
      );
      // Redis down at start: the process still starts, and the next rounds catch up.
      await sync().catch((err: unknown) =>
        logger.warn({ err }, 'could not read session revocations; retrying'),
      );
      timer = setInterval(() => {
        sync().catch((err: unknown) => logger.warn({ err }, 'could not read session revocations; retrying'));
      }, syncEveryMs);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      // The subscription ends with the pub/sub connection, closed right after (Runtime.close):
      // an UNSUBSCRIBE sent now would be cut off in flight and reject unhandled.
      listeners.clear();
    },
  };
}
