import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The one place errors become what a client sees. Domain errors keep their stable code and
 * client-safe details; GraphQL validation and Apollo's own errors pass through; anything else
 * is unexpected: logged in full, and reduced to INTERNAL_SERVER_ERROR with no stack and no SQL
 * in any mode. In production the message is bare; outside it, developers also read what the
 * innermost cause said (Postgres's "relation … does not exist"), never drizzle's wrapper, whose
 * message carries the statement and its parameters.
 */
export function createErrorFormatter(options: { logger: Logger; isProduction: boolean }) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...original.details },
      };
    }
    const code = formatted.extensions?.code;
    const expected = typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR';
    if (expected) {
      if (!options.isProduction) return formatted;
      const { stacktrace: _stack, exception: _exception, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    options.logger.error({ err: original, path: formatted.path }, 'unexpected error');
    if (options.isProduction) {
      return {
        message: 'Internal server error',
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: 'INTERNAL_SERVER_ERROR' },
      };
    }
    const detail = innermostMessage(original, formatted.message);
    return {
      // A subgraph's answer through the gateway already says it.
      message: detail.startsWith('Internal server error') ? detail : `Internal server error: ${detail}`,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * What the deepest `cause` of an error says (or, for what is no Error, such as a subgraph's
 * answer relayed by the gateway, the formatted message); a query's own text is never it.
 */
function innermostMessage(error: unknown, formatted: string): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  const message = current instanceof Error ? current.message : formatted;
  return message.startsWith('Failed query:') ? 'a database query failed' : message;
}
