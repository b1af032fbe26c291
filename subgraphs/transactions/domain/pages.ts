import { parseId } from '@walletgraph/platform/ids';

/**
 * A position in a newest-first list: the last item's creation time and id (the id breaks ties
 * between items created in the same millisecond). Opaque to clients.
 */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface PageRequest {
  /** Items wanted (1..MAX_PAGE_SIZE). */
  size: number;
  /** Items strictly older than this; null for the first page. */
  after: Cursor | null;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.getTime(), cursor.id])).toString('base64url');
}

export function decodeCursor(value: string): Cursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return null;
    const [ms, sentId] = parsed as [unknown, unknown];
    const id = typeof sentId === 'string' ? parseId<'Operation'>(sentId) : null;
    if (!Number.isSafeInteger(ms) || !id) return null;
    // A safe integer may still be past the range of a Date (±8.64 × 10^15 ms): an Invalid Date.
    const createdAt = new Date(ms as number);
    if (Number.isNaN(createdAt.getTime())) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}

/** Newest first: later creation time first, then the greater id. */
export function newestFirst(a: Cursor, b: Cursor): number {
  const byTime = b.createdAt.getTime() - a.createdAt.getTime();
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A page from newest-first candidates, of which up to `size + 1` were fetched: the extra one
 * only tells whether a next page exists.
 */
export function pageOf<T>(candidates: readonly T[], size: number, cursorOf: (item: T) => Cursor): Page<T> {
  const items = candidates.slice(0, size);
  const edges = items.map((node) => ({ cursor: encodeCursor(cursorOf(node)), node }));
  return {
    edges,
    pageInfo: { hasNextPage: candidates.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
