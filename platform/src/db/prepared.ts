import { oncePer } from '../once-per.ts';

/**
 * A query prepared once for each database (or transaction) it runs on: drizzle builds its SQL
 * once instead of at every call (about 100 µs of CPU for a small select, more than the round
 * trip costs the driver), and postgres.js sends it as a named prepared statement, so Postgres
 * parses and plans it once per connection. For the queries every request of the money path
 * makes; values go in as `sql.placeholder(name)`.
 *
 * `build` receives the executor and returns `….prepare(name)`. Prepared per executor, as a
 * drizzle prepared query is bound to the one it was built on: a transaction gets its own.
 */
export function preparedQuery<E extends object, Q>(build: (db: E) => Q): (db: E) => Q {
  return oncePer(build);
}
