import type { ApolloServerPlugin, GraphQLResponse } from '@apollo/server';
import { boundedLabel, type Metrics } from '@walletgraph/platform/metrics';
import { getOperationAST } from 'graphql';

type Counter = ReturnType<Metrics['counter']>;
type Histogram = ReturnType<Metrics['histogram']>;

/** A request that did not parse, or names no operation of its document, has no type. */
const UNRESOLVED = 'unknown';

/**
 * Counts and times every GraphQL request a client sends over HTTP, by operation type and name,
 * with its outcome: `ok`, or the stable `extensions.code` of the first error of its response
 * (BAD_USER_INPUT, UNAUTHENTICATED, … INTERNAL_SERVER_ERROR for an error without one).
 *
 * Requests without an HTTP request (`executeOperation`: the lookups a live event makes through
 * the supergraph, subscriptions/lookup.ts) are not a client's requests and are left out; live
 * events have their own metrics. A request refused before Apollo (the rate limits, a body too
 * large) is not counted here either: the limits count their own refusals.
 */
export function requestMetrics<TContext extends object>(metrics: Metrics): ApolloServerPlugin<TContext> {
  const requests = metrics.counter({
    name: 'walletgraph_gateway_requests_total',
    help: 'GraphQL requests over HTTP, by operation type, operation name and outcome (ok or the first error code)',
    labelNames: ['operation_type', 'operation', 'outcome'],
  });
  const duration = metrics.histogram({
    name: 'walletgraph_gateway_request_duration_seconds',
    help: 'Time from a GraphQL request reaching Apollo Server to its response, by operation type and name',
    labelNames: ['operation_type', 'operation'],
  });
  // Operation names are the client's choice; error codes are ours and Apollo's, capped all the same.
  const operationLabel = boundedLabel(200);
  const outcomeLabel = boundedLabel(100);
  const children = labelledChildren(requests, duration);

  return {
    async requestDidStart({ request }) {
      if (!request.http) return;
      const started = performance.now();
      return {
        async willSendResponse({ operation, document, response }) {
          // Apollo resolves the operation only once it validated: one refused before is read here.
          const resolved = operation ?? (document ? getOperationAST(document, request.operationName) : null);
          const type = resolved?.operation ?? UNRESOLVED;
          const name = operationLabel(resolved?.name?.value ?? request.operationName);
          const { timer, outcomes } = children(type, name);
          timer.observe((performance.now() - started) / 1000);
          outcomes(outcomeLabel(outcomeOf(response))).inc();
        },
      };
    },
  };
}

/**
 * The labelled children of one operation, made once: `labels()` hashes its arguments on every
 * call, and every request would pay for it. Bounded, as the labels are.
 */
function labelledChildren(requests: Counter, duration: Histogram) {
  type Children = {
    timer: ReturnType<typeof duration.labels>;
    outcomes: (outcome: string) => ReturnType<typeof requests.labels>;
  };
  const byOperation = new Map<string, Children>();
  return (type: string, name: string): Children => {
    const key = `${type}\n${name}`;
    let found = byOperation.get(key);
    if (!found) {
      const counters = new Map<string, ReturnType<typeof requests.labels>>();
      found = {
        timer: duration.labels({ operation_type: type, operation: name }),
        outcomes(outcome) {
          let counter = counters.get(outcome);
          if (!counter) {
            counter = requests.labels({ operation_type: type, operation: name, outcome });
            counters.set(outcome, counter);
          }
          return counter;
        },
      };
      byOperation.set(key, found);
    }
    return found;
  };
}

/** `ok`, or the code of the response's first error (as formatted for the client). */
function outcomeOf(response: GraphQLResponse): string {
  const errors =
    response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
  const first = errors?.[0];
  if (!first) return 'ok';
  const code = first.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
