import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string' || !isoDateTime.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(
      'DateTime must be an ISO 8601 date-time string with a zone, e.g. 2026-01-31T12:00:00Z',
      {
        extensions: { code: 'BAD_USER_INPUT' },
      },
    );
  }
  return new Date(value);
}

/** ISO 8601 date-time, always serialised in UTC; inputs are parsed to `Date`. */
export const DateTime = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(value as string);
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('DateTime must be a string');
    return parseDateTime(ast.value);
  },
});

const decimal = /^-?\d+(\.\d+)?$/;

function parseDecimal(value: unknown): string {
  if (typeof value !== 'string' || !decimal.test(value.trim())) {
    throw new GraphQLError('Decimal must be a string of digits with an optional fraction, e.g. "12.50"', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value.trim();
}

/**
 * A decimal number carried as a string ("12.50") so money never passes through a float.
 * Numbers are refused on input; the currency's exponent is checked where the currency is known.
 */
export const Decimal = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  serialize(value) {
    if (typeof value !== 'string') throw new GraphQLError('Decimal values are serialised from strings');
    return value;
  },
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError('Decimal must be a string, e.g. "12.50"');
    return parseDecimal(ast.value);
  },
});
