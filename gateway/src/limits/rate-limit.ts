import type { Logger } from '@walletgraph/platform/logger';
import type { Metrics } from '@walletgraph/platform/metrics';
import type { Request, RequestHandler, Response } from 'express';
import { refusalCounter } from './refusals.ts';
import { type CounterStore, type Hit, retryAfterSeconds } from './store.ts';

export interface RateLimitOptions {
  store: CounterStore;
  /** What is counted (`address`, `user`): the key prefix, the name in logs and the refusals' `scope` label. */
  scope: string;
  /** Requests allowed per window for one subject. */
  limit: number;
  windowMs: number;
  /** Who the request counts against, or null when this limit does not apply to it. */
  subjectOf: (req: Request, res: Response) => string | null;
  logger: Logger;
  /** Where refusals are counted (refusals.ts). */
  metrics: Metrics;
  /** How often, at most, the "limits not enforced" warning is logged while the store is down. Default 10 000 ms. */
  warnEveryMs?: number;
}

/**
 * Express middleware limiting requests per subject (client address, verified user) with the
 * shared counter store. Over the limit, the request is answered here, before its body is read:
 * HTTP 429, a `Retry-After` header in seconds, and a GraphQL error RATE_LIMITED.
 *
 * Fails open: if the store cannot answer (Redis down or stalled), the request goes through and
 * a warning is logged. Refusing every request of every client because a counter is unavailable
 * would turn a Redis outage into a full outage; /readyz reports Redis meanwhile, and sign-in —
 * what an attacker would hammer — is throttled separately and fails closed (login-throttle.ts).
 */
export function rateLimit(options: RateLimitOptions): RequestHandler {
  const count = failOpenCounter(options);
  return async (req, res, next) => {
    const subject = options.subjectOf(req, res);
    if (subject === null) return next();
    const refusal = await count(subject);
    if (!refusal) return next();
    res.setHeader('Retry-After', String(refusal.retryAfterSeconds));
    res.status(429).json(refusal.body);
  };
}

/** How a request over a limit is answered: HTTP 429 with this `Retry-After` and body. */
export interface RateLimitRefusal {
  retryAfterSeconds: number;
  body: { errors: { message: string; extensions: { code: 'RATE_LIMITED'; retryAfterSeconds: number } }[] };
}

/**
 * Counts one request of a subject against a limit in the store: null when it is allowed, or
 * when the store cannot answer (fail open, warned about at most every `warnEveryMs`); otherwise
 * the refusal to answer with. What every request limit of the gateway shares, HTTP and upgrades.
 */
export function failOpenCounter(
  options: Pick<
    RateLimitOptions,
    'store' | 'scope' | 'limit' | 'windowMs' | 'logger' | 'metrics' | 'warnEveryMs'
  >,
): (subject: string) => Promise<RateLimitRefusal | null> {
  const { store, scope, logger } = options;
  const window = { limit: options.limit, windowMs: options.windowMs };
  const warnEveryMs = options.warnEveryMs ?? 10_000;
  let lastWarnAt = Number.NEGATIVE_INFINITY;
  const refused = refusalCounter(options.metrics, scope);

  return async (subject) => {
    let hit: Hit;
    try {
      hit = await store.hit(`${scope}:${subject}`, window);
    } catch (err) {
      if (Date.now() - lastWarnAt >= warnEveryMs) {
        lastWarnAt = Date.now();
        logger.warn({ err, scope }, 'rate-limit counters unavailable; requests are not being limited');
      }
      return null;
    }
    if (hit.allowed) return null;
    refused();
    const seconds = retryAfterSeconds(hit.retryAfterMs);
    return {
      retryAfterSeconds: seconds,
      body: {
        errors: [
          {
            message: `too many requests; try again in ${seconds} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: seconds },
          },
        ],
      },
    };
  };
}
