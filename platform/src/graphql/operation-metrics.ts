import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import type { Histogram } from 'prom-client';
import { boundedLabel, type Metrics } from '../metrics.ts';

/** Records how long a subgraph's operations take; one per subgraph, shared by every executor of it. */
export interface OperationMetrics {
  /**
   * One operation: its type (`query`, `mutation`, `subscription`; `unknown` when it never
   * parsed), its name, the `extensions.code` of its first error (none: `ok`), and its duration.
   */
  observe(
    operationType: string | undefined,
    operationName: string | null | undefined,
    outcome: string,
    seconds: number,
  ): void;
}

/**
 * The outcome label of a response: `ok` without errors, else the stable `extensions.code` of its
 * first error as the client sees it — formatted (format-error.ts), which is where a domain error's
 * code becomes an extension; an error without a code is reported as INTERNAL_SERVER_ERROR.
 */
export function outcomeOf(errors: readonly GraphQLFormattedError[] | null | undefined): string {
  const first = errors?.[0];
  if (!first) return 'ok';
  const code = first.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/**
 * `walletgraph_subgraph_operation_duration_seconds` for one subgraph. Operation names are the
 * client's free text, so they pass `boundedLabel(200)`; codes are our own stable set, bounded
 * all the same so that a stray code cannot grow the registry. The label children are cached by
 * their values: a steady workload looks each one up, never creates it again.
 */
export function operationMetrics(metrics: Metrics, subgraph: string): OperationMetrics {
  const histogram: Histogram<'subgraph' | 'operation_type' | 'operation' | 'outcome'> = metrics.histogram({
    name: 'walletgraph_subgraph_operation_duration_seconds',
    help: 'Time a subgraph took to execute an operation (parse to response), by operation and outcome.',
    labelNames: ['subgraph', 'operation_type', 'operation', 'outcome'],
  });
  const operation = boundedLabel(200);
  const outcomeLabel = boundedLabel(50);
  const children = new Map<string, { observe(value: number): void }>();
  return {
    observe(operationType, operationName, outcome, seconds) {
      const type = operationType ?? 'unknown';
      const name = operation(operationName);
      const code = outcomeLabel(outcome);
      const key = `${type}\u0000${name}\u0000${code}`;
      let child = children.get(key);
      if (!child) {
        child = histogram.labels({ subgraph, operation_type: type, operation: name, outcome: code });
        children.set(key, child);
      }
      child.observe(seconds);
    },
  };
}

/**
 * The type of the operation a document's text holds, read from its first word (a document that
 * starts with `{` is a query) without parsing it again: for executors that hand graphql-js the
 * text. Subgraph requests hold one operation, as the gateway plans them.
 */
export function operationTypeOf(source: string): string {
  const match = /^\s*(?:#[^\n]*\n\s*)*(query|mutation|subscription|\{)/.exec(source);
  if (!match) return 'unknown';
  return match[1] === '{' ? 'query' : match[1]!;
}

/**
 * Runs one in-process execution of a subgraph's operation and records it as the HTTP path
 * records its own: for an executor that runs the schema without Apollo Server (embedded mode's
 * gateway, gateway/src/data-sources/local.ts). `execute` resolves the response with its errors
 * formatted as the client sees them; one that throws is recorded as INTERNAL_SERVER_ERROR.
 */
export async function timedExecution<R extends { errors?: readonly GraphQLFormattedError[] }>(
  recorder: OperationMetrics,
  request: { query: string; operationName?: string | null | undefined },
  execute: () => Promise<R>,
): Promise<R> {
  const started = performance.now();
  let outcome = 'INTERNAL_SERVER_ERROR';
  try {
    const response = await execute();
    outcome = outcomeOf(response.errors);
    return response;
  } finally {
    const seconds = (performance.now() - started) / 1000;
    recorder.observe(operationTypeOf(request.query), request.operationName, outcome, seconds);
  }
}

/** Times each operation Apollo Server executes and records it in `recorder`. */
export function operationMetricsPlugin(recorder: OperationMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ operation, operationName, response }) {
          // Subgraphs answer single results (no incremental delivery): their errors are formatted.
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          recorder.observe(
            operation?.operation,
            operationName,
            outcomeOf(errors),
            (performance.now() - started) / 1000,
          );
        },
      };
    },
  };
}
