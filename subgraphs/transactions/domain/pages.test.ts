import { describe, expect, it } from 'vitest';
import { type Cursor, decodeCursor, encodeCursor, newestFirst, pageOf } from './pages.ts';

const id = (n: number) => `0196f0a0-0000-7000-8000-${n.toString().padStart(12, '0')}`;
const at = (ms: number) => new Date(Date.UTC(2026, 10, 22) + ms);

describe('pages', () => {
  it('round-trips a cursor to the millisecond', () => {
    const cursor = { createdAt: at(123), id: id(7) };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
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
