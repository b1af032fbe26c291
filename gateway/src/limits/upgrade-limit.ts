import type { Logger } from '@walletgraph/platform/logger';
import type { Metrics } from '@walletgraph/platform/metrics';
import type { VerifyClientCallbackAsync } from 'ws';
import { addressSubject, resolveClientAddress } from './client-address.ts';
import { failOpenCounter } from './rate-limit.ts';
import type { CounterStore } from './store.ts';

export interface UpgradeLimitOptions {
  store: CounterStore;
  /** WebSocket upgrades allowed per client address (IPv6: per /64) per window. */
  limit: number;
  windowMs: number;
  /** Proxies in front of the gateway (`TRUST_PROXY`), for the client's address. */
  trustedProxies: number;
  logger: Logger;
  /** Where refusals are counted, as scope `upgrade` (refusals.ts). */
  metrics: Metrics;
}

/**
 * A ws `verifyClient` hook limiting WebSocket upgrades per client address, with the same
 * counters and address rules as HTTP requests (rate-limit.ts, client-address.ts). An upgrade
 * over the limit is answered before the socket is accepted, so it costs a counter lookup and no
 * session, token check or timer: HTTP 429, `Retry-After` in seconds and the same RATE_LIMITED
 * body as an HTTP request. Upgrades are counted apart from requests (scope `upgrade`): a client
 * that reconnects in a loop should not also lose its HTTP requests, nor the reverse.
 *
 * Fails open like the request limits: with the store down an upgrade goes through (warned
 * about), since every socket still needs a valid token and each user holds at most
 * SUBSCRIPTIONS_PER_USER sockets; refusing all live updates would turn a Redis outage into an
 * outage of the feature.
 */
export function limitUpgrades(options: UpgradeLimitOptions): VerifyClientCallbackAsync {
  const count = failOpenCounter({ ...options, scope: 'upgrade' });
  return ({ req }, answer) => {
    const subject = addressSubject(resolveClientAddress(req, options.trustedProxies));
    count(subject)
      .then((refusal) => {
        if (!refusal) return answer(true);
        answer(false, 429, JSON.stringify(refusal.body), {
          'Retry-After': String(refusal.retryAfterSeconds),
          'Content-Type': 'application/json',
        });
      })
      .catch((err: unknown) => {
        options.logger.error({ err }, 'WebSocket upgrade limit failed; dropping the upgrade');
        req.socket.destroy();
      });
  };
}
