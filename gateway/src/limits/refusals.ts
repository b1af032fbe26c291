import type { Metrics } from '@walletgraph/platform/metrics';

/**
 * Counts one limit's refusals (`walletgraph_gateway_rate_limited_total{scope}`): `address` and
 * `user` (requests, rate-limit.ts), `upgrade` (WebSocket upgrades, upgrade-limit.ts), `sign_in`
 * and `registration` (attempt-throttle.ts). Its child is made once: the scope is fixed per limit.
 */
export function refusalCounter(metrics: Metrics, scope: string): () => void {
  const refused = metrics
    .counter({
      name: 'walletgraph_gateway_rate_limited_total',
      help: 'Requests, upgrades and attempts the gateway refused for being over a limit, by limit (scope)',
      labelNames: ['scope'],
    })
    .labels({ scope });
  return () => refused.inc();
}
