import type { Logger } from '@walletgraph/platform/logger';
import { GraphQLError } from 'graphql';
import type { CostBucket } from '../limits/cost-bucket.ts';
import { retryAfterSeconds } from '../limits/store.ts';

/**
 * Charges one event of a subscription to its user's budget before the event is read through
 * the supergraph: null when it may be delivered, otherwise the seconds until it could be.
 */
export type ChargeEvent = () => Promise<number | null>;

/**
 * Each delivered event re-runs its subscription's selection through the supergraph, outside the
 * HTTP request limits, so each one costs its subscription's query cost (plugins/cost-limit.ts)
 * in a per-user budget (`bucket`; shared by every gateway replica when it is in Redis). Returns
 * the charge for one subscription of `userId` whose selection costs `cost`.
 *
 * Fails open, like the request rate limits: when the bucket cannot answer, the event is
 * delivered and a warning logged (at most every `warnEveryMs`, default 10 s). Live events reach
 * the gateway through Redis pub/sub, so a Redis outage delivers none anyway.
 */
export function createEventBudget(options: {
  bucket: CostBucket;
  logger: Logger;
  warnEveryMs?: number;
}): (userId: string, cost: number) => ChargeEvent {
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  const spend = async (userId: string, cost: number): Promise<number | null> => {
    try {
      const spent = await options.bucket.spend(`live-cost:${userId}`, cost);
      return spent.allowed ? null : retryAfterSeconds(spent.retryAfterMs);
    } catch (err) {
      if (Date.now() - lastWarnAt >= warnEveryMs) {
        lastWarnAt = Date.now();
        options.logger.warn({ err }, 'live-event budget unavailable; events are not being charged');
      }
      return null;
    }
  };
  // One notice reaches all of a user's subscriptions at once: their charges of that moment are
  // summed into one spend (one Redis round trip per user and notice, not per subscription),
  // allowed or refused together.
  const pending = new Map<string, { cost: number; waiting: ((retry: number | null) => void)[] }>();
  return (userId, cost) => () =>
    new Promise((resolve) => {
      let batch = pending.get(userId);
      if (!batch) {
        const started = { cost: 0, waiting: [] as ((retry: number | null) => void)[] };
        pending.set(userId, started);
        setImmediate(() => {
          pending.delete(userId);
          void spend(userId, started.cost).then((retry) => {
            for (const settle of started.waiting) settle(retry);
          });
        });
        batch = started;
      }
      batch.cost += cost;
      batch.waiting.push(resolve);
    });
}

const OVER_BUDGET = Symbol('over budget');

/** Stands in for the event that found the budget spent: its subscription answers it with an error and ends. */
export interface OverBudget {
  [OVER_BUDGET]: true;
  retryAfterSeconds: number;
}

export function isOverBudget(value: unknown): value is OverBudget {
  return typeof value === 'object' && value !== null && OVER_BUDGET in value;
}

/**
 * What a subscriber over budget receives, as the subscription's last event before it completes:
 * RATE_LIMITED with `retryAfterSeconds`. Ended rather than thinned out silently, so a client
 * knows it missed events: it subscribes again after that long with the last cursor it got, and
 * the refused event is the first one replayed (README "Catching up").
 */
export function overBudgetError(over: OverBudget): GraphQLError {
  return new GraphQLError(
    `Live-update budget spent: every event costs this subscription's query cost. Subscribe again in ${over.retryAfterSeconds} s with your last cursor (after:) to get the rest.`,
    { extensions: { code: 'RATE_LIMITED', retryAfterSeconds: over.retryAfterSeconds } },
  );
}

/**
 * A subscription's notices, each charged (`charge`) as graphql-ws pulls it, before it is read
 * through the supergraph. The first one refused becomes an OverBudget and the feed ends there.
 * A client that reads slowly is charged only for what it is handed (the feed coalesces the rest).
 */
export function meterEvents<T>(
  feed: AsyncIterableIterator<T>,
  charge: ChargeEvent,
): AsyncIterableIterator<T | OverBudget> {
  let ended = false;
  const end = async (): Promise<IteratorResult<T | OverBudget>> => {
    ended = true;
    await feed.return?.();
    return { value: undefined, done: true };
  };
  const metered: AsyncIterableIterator<T | OverBudget> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      const result = await feed.next();
      if (result.done) return result;
      const retry = await charge();
      if (retry === null) return result;
      await end();
      return { value: { [OVER_BUDGET]: true, retryAfterSeconds: retry }, done: false };
    },
    return: end,
    async throw(error) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return metered;
    },
  };
  return metered;
}
