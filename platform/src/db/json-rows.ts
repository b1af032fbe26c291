import { getTableColumns, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * `insert into <table> (<columns>) select <columns> from jsonb_populate_recordset(null::<table>,
 * $1)`: any number of rows as ONE jsonb parameter. Extend it with `on conflict …` and
 * `returning …` as needed.
 *
 * Why not drizzle's `.values()`: it makes a parameter of every value and walks each one several
 * times while building the statement (a 17-column row costs the transactions subgraph ~0.1 ms
 * of CPU per insert, and a ledger batch's entries, postings and results more), and the text
 * grows with the row count, so each batch size is a statement of its own. Here the text depends
 * only on the table and the columns given: it is built once, and it is one prepared statement
 * per connection whatever the number of rows.
 *
 * Columns are those the first row gives (a value other than `undefined`); every row must give
 * the same ones, and a column left out gets its default. Values as drizzle takes them: strings,
 * numbers, booleans, null, `Date` (sent as ISO 8601), `bigint` (sent as its digits) and plain
 * objects or arrays for jsonb columns. Postgres converts each to its column's type.
 */
export function insertJsonRows<T extends PgTable>(table: T, rows: readonly T['$inferInsert'][]): SQL {
  const first = rows[0];
  if (!first) throw new Error('insertJsonRows needs at least one row');
  const keys = Object.keys(first).filter((k) => (first as Record<string, unknown>)[k] !== undefined);
  const shape = shapeOf(table, keys);
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [key, column] of shape.columns) record[column] = (row as Record<string, unknown>)[key] ?? null;
    return record;
  });
  return sql`insert into ${table} ${shape.list} select ${shape.selected} from jsonb_populate_recordset(null::${table}, ${jsonText(records)}::jsonb) as r`;
}

/** JSON with `bigint`s as their digits (a string Postgres reads as any integer or numeric type). */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/**
 * `<column> = any(<the "id" of each row in rowsJson>)`: the condition that lets Postgres find the
 * rows an `update … from jsonb_to_recordset(rowsJson) … where <column> = v.id` joins to through
 * the column's index. Without it the planner takes the recordset for 100 rows (its fixed
 * estimate for a set-returning function) and, below some tens of thousands of rows, prefers
 * reading the whole table to 100 index probes: a settlement batch of five read every
 * operation. An array from a subquery is estimated at 10 elements, so the index wins.
 */
export function amongJsonRowIds(column: SQL | PgColumn, rowsJson: string, type: 'uuid' | 'text'): SQL {
  return sql`${column} = any(array(select (jsonb_array_elements(${rowsJson}::jsonb) ->> 'id')::${sql.raw(type)}))`;
}

interface Shape {
  /** [property, column name], in the order the row gave them. */
  columns: (readonly [string, string])[];
  /** `(col, …)` */
  list: SQL;
  /** `r.col, …` */
  selected: SQL;
}

const shapes = new WeakMap<PgTable, Map<string, Shape>>();

/** The column list for a table and the properties a row gives, built once per combination. */
function shapeOf(table: PgTable, keys: readonly string[]): Shape {
  let byKeys = shapes.get(table);
  if (!byKeys) {
    byKeys = new Map();
    shapes.set(table, byKeys);
  }
  const signature = keys.join(',');
  const known = byKeys.get(signature);
  if (known) return known;
  const tableColumns = getTableColumns(table) as Record<string, { name: string }>;
  const columns = keys.map((key) => {
    const column = tableColumns[key];
    if (!column) throw new Error(`insertJsonRows: no column for property ${key}`);
    return [key, column.name] as const;
  });
  const quoted = columns.map(([, name]) => `"${name.replaceAll('"', '""')}"`);
  const shape: Shape = {
    columns,
    list: sql.raw(`(${quoted.join(', ')})`),
    selected: sql.raw(quoted.map((q) => `r.${q}`).join(', ')),
  };
  byKeys.set(signature, shape);
  return shape;
}
