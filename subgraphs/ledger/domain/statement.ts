import { badInput } from '@walletgraph/platform/errors';

/** Entries per statement page when the client does not say. */
export const DEFAULT_STATEMENT_PAGE = 20;
/** The most entries one page may ask for. */
export const MAX_STATEMENT_PAGE = 100;

/** Validates `first`, naming the field on failure. */
export function statementPageSize(first: number | null | undefined): number {
  const size = first ?? DEFAULT_STATEMENT_PAGE;
  if (!Number.isInteger(size) || size < 1 || size > MAX_STATEMENT_PAGE) {
    throw badInput('first', `must be between 1 and ${MAX_STATEMENT_PAGE}`);
  }
  return size;
}

const CURSOR_PREFIX = 'LedgerEntry:';
/** The largest journal sequence (Postgres bigint). */
const MAX_SEQUENCE = 2n ** 63n - 1n;

/** An opaque cursor for a statement position: the entry's journal sequence, base64url-encoded. */
export function encodeCursor(sequence: bigint): string {
  return Buffer.from(`${CURSOR_PREFIX}${sequence}`, 'utf8').toString('base64url');
}

/** The sequence inside a cursor from `encodeCursor`; anything else is BAD_USER_INPUT on `after`. */
export function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^LedgerEntry:(\d{1,19})$/.exec(text);
  // Re-encoding must give the cursor back: base64 decoding skips what it does not understand.
  if (!match || encodeCursor(BigInt(match[1]!)) !== cursor) throw badInput('after', 'not a statement cursor');
  const sequence = BigInt(match[1]!);
  // Nineteen digits can exceed the journal sequence's bigint, which Postgres would refuse.
  if (sequence > MAX_SEQUENCE) throw badInput('after', 'not a statement cursor');
  return sequence;
}
