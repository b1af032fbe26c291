import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { DomainError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * The one place errors become what a client sees. Domain errors keep their stable code and
 * client-safe details; GraphQL validation and Apollo's own errors pass through; anything else
 * is unexpected: logged in full, and in production reduced to a bare INTERNAL_SERVER_ERROR
 * with no message, stack or SQL.
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
    if (!options.isProduction) return formatted;
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
