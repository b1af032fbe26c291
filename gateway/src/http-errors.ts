import type { Logger } from '@walletgraph/platform/logger';
import type { ErrorRequestHandler } from 'express';

/** What body-parser attaches to the errors it raises. */
interface BodyParserError {
  status?: number;
  type?: string;
}

const codes: Record<string, string> = {
  'entity.too.large': 'PAYLOAD_TOO_LARGE',
  'entity.parse.failed': 'BAD_REQUEST',
  'encoding.unsupported': 'BAD_REQUEST',
  'charset.unsupported': 'BAD_REQUEST',
};

/**
 * Answers failures that happen before Apollo Server sees the request (a body over
 * `GATEWAY_BODY_LIMIT`, malformed JSON) as a GraphQL error response, instead of express's HTML
 * page, which carries a stack trace unless NODE_ENV happens to be production.
 */
export function graphqlHttpErrors(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const { status, type } = (error ?? {}) as BodyParserError;
    if (status && status >= 400 && status < 500) {
      const code = (type && codes[type]) ?? 'BAD_REQUEST';
      const message = code === 'PAYLOAD_TOO_LARGE' ? 'request body too large' : 'malformed request body';
      res.status(status).json({ errors: [{ message, extensions: { code } }] });
      return;
    }
    logger.error({ err: error }, 'unexpected error handling an HTTP request');
    res.status(500).json({
      errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }],
    });
  };
}
