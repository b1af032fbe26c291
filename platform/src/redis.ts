import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

export interface RedisClientOptions {
  logger: Logger;
  /** Shown by `CLIENT LIST` (`walletgraph:<role>`), so an operator can tell the connections apart. */
  role: string;
  /**
   * Queue commands while disconnected instead of failing them at once. Default false: a caller
   * decides what an outage means (a live notice is dropped, rate limiting fails open, sign-in
   * fails closed) rather than requests piling up behind a reconnect. A subscriber needs true,
   * so its subscriptions are replayed when it reconnects.
   */
  offlineQueue?: boolean;
  /**
   * Check that Redis has loaded its data (INFO) before using a new connection. Default true. A
   * subscriber turns it off: it reads no data, and its INFO would be refused once its queued
   * SUBSCRIBE went out first ("Connection in subscriber mode"), dropping the connection at every start.
   */
  readyCheck?: boolean;
}

/**
 * The one way a process connects to Redis: connects at once, reconnects forever in the
 * background, retries a command at most 3 times, and logs connection errors as warnings
 * (readiness reports Redis; a log line per failed reconnect is enough). Commands issued in the
 * same tick go out in one write (auto-pipelining): a ledger batch's balance notices, or the
 * gateway's rate-limit counters of concurrent requests, cost one syscall instead of one each.
 */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  const client = new Redis(url, {
    maxRetriesPerRequest: 3,
    enableOfflineQueue: options.offlineQueue ?? false,
    enableReadyCheck: options.readyCheck ?? true,
    lazyConnect: false,
    enableAutoPipelining: true,
    connectionName: `walletgraph:${options.role}`,
  });
  client.on('error', (err) => options.logger.warn({ err, redis: options.role }, 'redis connection error'));
  return client;
}
