/**
 * The rows of a raw `db.execute(sql…)` result, whichever driver ran it: postgres.js answers with
 * an array of rows, PGlite with `{ rows }`. Typed by the caller: cast columns in the SQL (`::text`)
 * so both drivers hand back the same JavaScript types.
 */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown } | null)?.rows;
  if (Array.isArray(rows)) return rows as T[];
  throw new Error('not a query result with rows');
}
