import DataLoader from 'dataloader';
import { type InferSelectModel, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from './database.ts';

/**
 * A DataLoader of a table's rows by id: every id asked for in one tick is read with one
 * `where id in (…)`, and an unknown id answers null. Make one per request (`oncePer` on the
 * request's context), so no row outlives the request that read it.
 */
export function rowsByIdLoader<T extends PgTable>(
  db: Executor,
  table: T,
  id: PgColumn,
): DataLoader<string, InferSelectModel<T> | null> {
  const key = propertyOf(table, id);
  return new DataLoader(async (ids: readonly string[]) => {
    const rows = (await db
      .select()
      .from(table as PgTable)
      .where(inArray(id, [...ids]))) as InferSelectModel<T>[];
    const byId = new Map(rows.map((row) => [(row as Record<string, unknown>)[key] as string, row]));
    return ids.map((i) => byId.get(i) ?? null);
  });
}

/** The property name drizzle gives `column` in `table`'s rows. */
function propertyOf(table: PgTable, column: PgColumn): string {
  const entry = Object.entries(table).find(([, value]) => value === column);
  if (!entry) throw new Error(`column ${column.name} is not a column of the table`);
  return entry[0];
}
