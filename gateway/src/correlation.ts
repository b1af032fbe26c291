import { CORRELATION_HEADER, correlationIdFrom, withTrace } from '@walletgraph/platform/logger';
import type { RequestHandler } from 'express';

/**
 * Gives each request a correlation id — the client's `x-correlation-id` when it is sane, a fresh
 * one otherwise — echoes it in the response so a client can quote it (even on a 413 or a CORS
 * refusal), and keeps it in `res.locals.correlationId` for the GraphQL context.
 */
export function assignCorrelationId(): RequestHandler {
  return (req, res, next) => {
    const correlationId = correlationIdFrom(req.headers[CORRELATION_HEADER]);
    res.locals.correlationId = correlationId;
    res.setHeader(CORRELATION_HEADER, correlationId);
    next();
  };
}

/**
 * Runs the rest of the request inside its trace, so every log line it causes carries the
 * correlation id. Mount it after the body parser: the parser continues from stream callbacks,
 * which would leave an earlier trace behind.
 */
export function runInTrace(): RequestHandler {
  return (req, res, next) => {
    const traceparent = req.headers.traceparent;
    withTrace(
      {
        correlationId: res.locals.correlationId as string,
        traceparent: typeof traceparent === 'string' ? traceparent : null,
      },
      next,
    );
  };
}
