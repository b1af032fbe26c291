import type { Sql } from 'postgres';
import { traceQuery } from '../tracing/sql.ts';

/** At most this many distinct statements are prepared per pool (each connection keeps its own copy). */
export const MAX_NAMED_STATEMENTS = 1000;
/** Statements with more parameters than this (long IN lists, many-row inserts) stay unnamed. */
export const MAX_NAMED_PARAMETERS = 64;

/**
 * Makes drizzle's queries named prepared statements. drizzle sends every query that was not
 * `.prepare(name)`d to postgres.js as unnamed (`prepare: false`), and postgres.js then asks
 * Postgres for the parameter types first: Parse + Describe, a wait for the answer, then Bind +
 * Execute. Two round trips and two socket writes per query, and Postgres parses and plans each
 * time. Named, a statement is described once per connection and then runs in one round trip
 * (and pipelines with the queries behind it).
 *
 * Bounded, because every connection keeps each statement it prepared until it is recycled
 * (postgres.js' `max_lifetime`): statements with many parameters (whose text varies with a
 * list's length) stay unnamed, and once `MAX_NAMED_STATEMENTS` distinct texts were seen, new
 * ones do too. Transactions and savepoints get the same policy (drizzle runs them on the
 * `sql` postgres.js hands their callback).
 */
export function namedStatements(client: Sql): Sql {
  const named = new Set<string>();
  const nameable = (query: string, parameters: number) => {
    if (parameters === 0 || parameters > MAX_NAMED_PARAMETERS) return false;
    if (named.has(query)) return true;
    if (named.size >= MAX_NAMED_STATEMENTS) return false;
    named.add(query);
    return true;
  };
  const wrap = (sql: Sql): Sql =>
    new Proxy(sql, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (property === 'unsafe') {
          return (query: string, parameters?: unknown[], options?: { prepare?: boolean }) =>
            traceQuery(
              query,
              target.unsafe(query, parameters as never, {
                ...options,
                prepare: options?.prepare === true || nameable(query, parameters?.length ?? 0),
              }),
            );
        }
        if (property === 'begin' || property === 'savepoint') {
          return (...args: unknown[]) => {
            const last = args.length - 1;
            const callback = args[last] as (inner: Sql) => unknown;
            args[last] = (inner: Sql) => callback(wrap(inner));
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return value;
      },
    });
  return wrap(client);
}
