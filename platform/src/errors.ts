import { GraphQLError } from 'graphql';

/** The stable error codes clients may branch on (contracts/api.graphql). */
export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'EMAIL_TAKEN',
  'WEAK_PASSWORD',
  'INVALID_CREDENTIALS',
  'TOO_MANY_ATTEMPTS',
  'INVALID_REFRESH_TOKEN',
  'CURRENCY_MISMATCH',
  'WALLET_NOT_EMPTY',
  'WALLET_ARCHIVED',
  'WALLET_LIMIT_REACHED',
  'JAR_ARCHIVED',
  'IDEMPOTENCY_KEY_REUSED',
  'RATE_LIMITED',
  'INVALID_VERIFICATION_CODE',
  'NOT_IMPLEMENTED',
  'INVALID_REFERENCE',
  'BILLER_UNAVAILABLE',
  'SCHEDULE_NOT_ACTIVE',
  'SCHEDULE_NOT_PAUSED',
  'SCHEDULE_ENDED',
  'CURSOR_EXPIRED',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

/**
 * An expected failure: a value with a stable code, safe to show a client. Anything else that
 * is thrown is unexpected, logged, and masked in production.
 */
export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: ErrorCode;
  /** Extra, client-safe details, e.g. `{ field: 'input.email' }`. */
  readonly details: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`);
export const unauthenticated = () => new DomainError('UNAUTHENTICATED', 'authentication required');
export const badInput = (field: string, message: string) =>
  new DomainError('BAD_USER_INPUT', `${field}: ${message}`, { field });
/** For API pieces whose behaviour belongs to a later issue; the schema already has them. */
export const notImplemented = (what: string) =>
  new DomainError('NOT_IMPLEMENTED', `${what} is not implemented yet`);

/** Maps a domain error to the GraphQL error a client sees; the one place codes become extensions. */
export function toGraphQLError(error: DomainError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } });
}
