import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { tracingOn } from '../tracing.ts';
import { tracer, within } from './tracer.ts';

/**
 * Express middleware: a server span for the request, continuing the caller's `traceparent`
 * (a client's at the gateway, the gateway's at a subgraph), active for the rest of the request.
 * Mount it after the body parser, which continues from stream callbacks and would leave the
 * span's context behind. Named `POST /graphql` until `operationSpanNames` names the operation.
 */
export function traceRequests() {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (!tracingOn()) {
      next();
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(
      `${req.method} /graphql`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? 'POST' } },
      parent,
    );
    res.once('close', () => {
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Apollo Server plugin: renames the request's server span `<type> <operationName>` once parsed. */
export function operationSpanNames<C extends BaseContext>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      if (!tracingOn()) return;
      return {
        async didResolveOperation({ operation, operationName }) {
          const span = trace.getActiveSpan();
          if (operation && span?.isRecording()) nameOperation(span, operation.operation, operationName);
        },
      };
    },
  };
}

function nameOperation(span: Span, type: string, name: string | null): void {
  span.updateName(`${type} ${name ?? 'anonymous'}`);
  span.setAttribute('graphql.operation.type', type);
  if (name) span.setAttribute('graphql.operation.name', name);
}

/**
 * A client span around one call from the gateway to a subgraph; `send` runs with it active, so
 * `injectTraceparent` inside it hands the subgraph this span as its parent.
 */
export function traceSubgraphCall<T>(subgraph: string, send: () => Promise<T>): Promise<T> {
  if (!tracingOn()) return send();
  const span = tracer().startSpan(`subgraph ${subgraph}`, {
    kind: SpanKind.CLIENT,
    attributes: { 'graphql.subgraph.name': subgraph },
  });
  return within(span, send);
}

/** Sets the active span's `traceparent` header on an outgoing request. */
export function injectTraceparent(set: (name: string, value: string) => void): void {
  if (!tracingOn()) return;
  propagation.inject(context.active(), undefined, {
    set: (_carrier: unknown, name: string, value: string) => set(name, value),
  });
}

/**
 * The in-process subgraph call (embedded mode): the subgraph's server span, a child of the
 * gateway's client span, named as the HTTP subgraph's would be (`<type> <operationName>`).
 */
export function traceLocalSubgraph<T>(
  subgraph: string,
  request: { query?: string | undefined; operationName?: string | null | undefined },
  execute: () => Promise<T>,
): Promise<T> {
  if (!tracingOn()) return execute();
  const type = /^\s*(mutation|subscription)\b/.exec(request.query ?? '')?.[1] ?? 'query';
  const span = tracer().startSpan(`${type} ${request.operationName ?? 'anonymous'}`, {
    kind: SpanKind.SERVER,
    attributes: { 'graphql.subgraph.name': subgraph, 'graphql.operation.type': type },
  });
  return within(span, execute);
}
