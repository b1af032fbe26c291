import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, statementPageSize } from './statement.ts';

describe('statement paging', () => {
  it.each([1n, 42n, 2n ** 62n + 7n, 2n ** 63n - 1n])(
    'round-trips a cursor at sequence %s, including sequences beyond 2^53',
    (sequence) => {
      expect(decodeCursor(encodeCursor(sequence))).toBe(sequence);
    },
  );

  it('keeps the cursor opaque', () => {
    expect(encodeCursor(42n)).not.toContain('42');
  });

  it.each([
    '',
    'abc',
    Buffer.from('LedgerEntry:-1').toString('base64url'),
    `${encodeCursor(5n)}!`,
    // Nineteen digits past Postgres' bigint.
    encodeCursor(2n ** 63n),
    encodeCursor(9_999_999_999_999_999_999n),
  ])('refuses the cursor %j as BAD_USER_INPUT on after', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'after' } }),
    );
  });

  it('defaults the page size to 20 and accepts 1 to 100', () => {
    expect(statementPageSize(undefined)).toBe(20);
    expect(statementPageSize(null)).toBe(20);
    expect(statementPageSize(1)).toBe(1);
    expect(statementPageSize(100)).toBe(100);
  });

  it.each([0, -1, 101, 2.5])('refuses first = %s as BAD_USER_INPUT on first', (first) => {
    expect(() => statementPageSize(first)).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'first' } }),
    );
  });
});
