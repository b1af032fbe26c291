import { SpanKind, trace } from '@opentelemetry/api';
import { tracingOn } from '../tracing.ts';
import { failed, tracer } from './tracer.ts';

/** A postgres.js query: lazy, it runs when first awaited (`then`). */
interface PendingQuery {
  then(onFulfilled?: (value: unknown) => unknown, onRejected?: (reason: unknown) => unknown): unknown;
}

/**
 * A client span per SQL statement, from when it is handed to the driver to its answer, a child
 * of the span active then. Attributes: the system and the statement's first keyword, never its
 * text's values (they are parameters, and never recorded). Returns the query itself, its `then`
 * wrapped to end the span, so drizzle's `.values()` and `await` work on it unchanged.
 * Only inside a span: background work with none (a relay's poll every second, a lease's
 * heartbeat) would otherwise start a one-span trace per statement.
 */
export function traceQuery<Q extends PendingQuery>(text: string, query: Q): Q {
  if (!tracingOn() || !trace.getActiveSpan()) return query;
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'SQL';
  const span = tracer().startSpan(operation, {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'postgresql', 'db.operation.name': operation },
  });
  const then = query.then.bind(query);
  let ended = false;
  const end = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error !== undefined) failed(span, error);
    span.end();
  };
  // biome-ignore lint/suspicious/noThenProperty: the query is a thenable already; this wraps its own then, which runs it.
  query.then = (onFulfilled, onRejected) =>
    then(
      (value) => {
        end();
        return onFulfilled ? onFulfilled(value) : value;
      },
      (reason) => {
        end(reason);
        if (onRejected) return onRejected(reason);
        throw reason;
      },
    );
  return query;
}
