import type { GraphQLDataSource } from '@apollo/gateway';
import type { Metrics } from '@walletgraph/platform/metrics';
import type { GatewayContext } from '../context.ts';

/**
 * A subgraph's data source (over HTTP or in-process) with each fetch timed, by subgraph and
 * outcome: `error` when the fetch brought back no GraphQL response (the subgraph unreachable, a
 * timeout, an HTTP error status, a crash in-process), `ok` otherwise. Errors inside a GraphQL
 * response are the operation's outcome, counted with the request (plugins/request-metrics.ts).
 */
export function timedDataSource(
  subgraph: string,
  source: GraphQLDataSource<GatewayContext>,
  metrics: Metrics,
): GraphQLDataSource<GatewayContext> {
  const fetches = metrics.histogram({
    name: 'walletgraph_gateway_subgraph_fetch_duration_seconds',
    help: 'Time the gateway waits for one subgraph fetch, by subgraph and outcome (ok, or error: no GraphQL response)',
    labelNames: ['subgraph', 'outcome'],
  });
  // Fixed labels: the children once, not a label lookup per fetch.
  const ok = fetches.labels({ subgraph, outcome: 'ok' });
  const failed = fetches.labels({ subgraph, outcome: 'error' });
  return {
    async process(options) {
      const started = performance.now();
      try {
        const response = await source.process(options);
        ok.observe((performance.now() - started) / 1000);
        return response;
      } catch (error) {
        failed.observe((performance.now() - started) / 1000);
        throw error;
      }
    },
  };
}
