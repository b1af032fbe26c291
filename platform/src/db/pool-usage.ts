import type { Sql } from 'postgres';

/** How much of a database's connection pool is in use, as far as the process can tell. */
export interface PoolUsage {
  /** The pool's size: postgres.js' `max`, 1 for PGlite's single connection. */
  readonly max: number;
  /**
   * Statements and transactions of the pool in flight now; absent where it is not counted
   * (PGlite). See `countInFlight` for what it counts.
   */
  readonly inFlight?: number;
}

/**
 * postgres.js keeps its pool's state private and has no statistics API, so the pool's use is
 * counted here, around it: every statement sent on the pool (`unsafe`, which drizzle runs every
 * query through) from the moment it is made until it settles, and every transaction (`begin`)
 * for its whole life, since a transaction holds one connection throughout. Statements inside a
 * transaction run on the transaction's connection and are not counted again. Ad-hoc tagged
 * queries of the handle itself (ping, the lock pre-check) are not counted.
 *
 * Each statement or transaction occupies one connection while it runs, until there are more of
 * them than `max`: postgres.js then pipelines the extra ones onto busy connections or queues
 * them, so what exceeds `max` is work waiting for a connection of its own. Counting costs one
 * integer update and one settle callback per statement; it issues no SQL.
 */
export function countInFlight(client: Sql): { sql: Sql; inFlight(): number } {
  let inFlight = 0;
  const settled = () => {
    inFlight--;
  };
  const unsafe = (...args: Parameters<Sql['unsafe']>) => {
    const query = client.unsafe(...args);
    inFlight++;
    // Subscribing sends the query as awaiting it would, a microtask later: drizzle awaits every
    // query it makes at once, and sets its result mode (`values()`) synchronously before that.
    query.then(settled, settled);
    return query;
  };
  const begin = (...args: unknown[]) => {
    inFlight++;
    const transaction = (client.begin as (...a: unknown[]) => Promise<unknown>)(...args);
    transaction.then(settled, settled);
    return transaction;
  };
  const sql = new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'unsafe') return unsafe;
      if (property === 'begin') return begin;
      return Reflect.get(target, property, receiver);
    },
  });
  return { sql, inFlight: () => inFlight };
}
