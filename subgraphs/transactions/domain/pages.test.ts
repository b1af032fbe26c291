import { DomainError } from '@walletgraph/platform/errors';
import { describe, expect, it } from 'vitest';
import { type Cursor, decodeCursor, encodeCursor, newestFirst, pageOf, parsePageRequest } from './pages.ts';

const id = (n: number) => `0196f0a0-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const at = (ms: number) => new Date(Date.UTC(2026, 10, 22) + ms);

function fieldOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') return error.details.field;
    throw error;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('pages', () => {
  it('round-trips a cursor to the millisecond', () => {
    const cursor = { createdAt: at(123), id: id(7) };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('takes 20 by default and 1 to 100 when asked', () => {
    expect(parsePageRequest({})).toEqual({ size: 20, after: null });
    expect(parsePageRequest({ first: 100, after: null }).size).toBe(100);
  });

  it.each([0, -1, 101])('refuses first = %s, naming `first`', (first) => {
    expect(fieldOf(() => parsePageRequest({ first }))).toBe('first');
  });

  const encoded = (json: string) => Buffer.from(json).toString('base64url');
  it.each([
    ['text that is not base64 JSON', 'not-base64-json'],
    ['a one-element array', encoded('[1]')],
    ['a fractional time and no uuid', encoded('[1.5,"x"]')],
    ['a time given as a string', encoded(`["1","${id(1)}"]`)],
    ['an id that is no uuid', encoded('[1,"not-a-uuid"]')],
    // A safe integer, but no Date: past ±8.64 × 10^15 ms.
    ['a time past the last Date', encoded(`[${Number.MAX_SAFE_INTEGER},"${id(1)}"]`)],
    ['a time before the first Date', encoded(`[-8640000000000001,"${id(1)}"]`)],
  ])('refuses an `after` it did not hand out: %s', (_, after) => {
    expect(fieldOf(() => parsePageRequest({ after }))).toBe('after');
  });

  it('orders newest first, the greater id first within a millisecond', () => {
    const items: Cursor[] = [
      { createdAt: at(1), id: id(1) },
      { createdAt: at(2), id: id(2) },
      { createdAt: at(2), id: id(3) },
    ];
    expect(items.sort(newestFirst).map((c) => c.id)).toEqual([id(3), id(2), id(1)]);
  });

  it('cuts a page from one candidate too many, which only says a next page exists', () => {
    const items = [3, 2, 1].map((n) => ({ createdAt: at(n), id: id(n) }));
    const first = pageOf(items, 2, (c) => c);
    expect(first.edges.map((e) => e.node.id)).toEqual([id(3), id(2)]);
    expect(first.pageInfo).toEqual({ hasNextPage: true, endCursor: encodeCursor(items[1]!) });
    expect(pageOf(items.slice(2), 2, (c) => c).pageInfo.hasNextPage).toBe(false);
    expect(pageOf([], 2, (c: Cursor) => c).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});
