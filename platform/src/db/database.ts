import { PGlite } from '@electric-sql/pglite';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Logger } from '../logger.ts';
import { countInFlight, type PoolUsage } from './pool-usage.ts';
import { namedStatements } from './statements.ts';

export type Schema = Record<string, unknown>;
/** A drizzle database, whichever driver is under it (postgres.js in real mode, PGlite embedded). */
export type Database<S extends Schema = Schema> = PgDatabase<PgQueryResultHKT, S>;
/** The transaction handed to `db.transaction(async (tx) => …)`. */
export type Transaction<S extends Schema = Schema> = PgTransaction<
  PgQueryResultHKT,
  S,
  ExtractTablesWithRelations<S>
>;
/** Either a database or a transaction: what helpers that may run inside a caller's transaction take. */
export type Executor<S extends Schema = Schema> = Database<S> | Transaction<S>;

/** An exclusive lease held on a dedicated connection, e.g. for "one active relay per subgraph". */
export interface Lease {
  /** Resolves when the lease is lost (its connection died); the holder must stop acting as leader. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface DatabaseHandle<S extends Schema = Schema> {
  readonly db: Database<S>;
  readonly kind: 'postgres' | 'pglite';
  /** Calls `onNotify` on each NOTIFY on `channel`. Notifications can be lost: never the only trigger. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Takes the named lock if no one (in any process) holds it; null when someone does. */
  tryLock(name: string): Promise<Lease | null>;
  /** Throws when the database is unreachable; for readiness probes. */
  ping(): Promise<void>;
  /** The pool's size and, where counted, its statements in flight (db/pool-usage.ts); for metrics. */
  pool(): PoolUsage;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions<S extends Schema> {
  /** Subgraph name, for logs. */
  name: string;
  schema: S;
  /** The subgraph's drizzle-kit migrations folder; applied at open. */
  migrationsFolder: string;
  logger: Logger;
  /** Real mode: the database URL; the database is created when missing. */
  url?: string;
  /** Embedded mode: PGlite data directory; omitted keeps the database in memory. */
  dataDir?: string;
  /** Real mode: pool size. */
  maxConnections?: number;
  /** How often a held lease checks its connection. */
  leaseHeartbeatMs?: number;
}

/** Opens a subgraph's own database, creating it if missing and applying its migrations. */
export async function openDatabase<S extends Schema>(
  options: OpenDatabaseOptions<S>,
): Promise<DatabaseHandle<S>> {
  return options.url ? openPostgres(options, options.url) : openPglite(options);
}

async function openPostgres<S extends Schema>(
  options: OpenDatabaseOptions<S>,
  url: string,
): Promise<DatabaseHandle<S>> {
  await ensureDatabaseExists(url, options.logger);
  // Migrations on a single connection, under an advisory lock so replicas starting together
  // do not race each other through the same migration.
  const migrator = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await migrator`select pg_advisory_lock(hashtext('walletgraph:migrate'))`;
    await migratePostgres(drizzlePostgres(migrator), { migrationsFolder: options.migrationsFolder });
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const max = options.maxConnections ?? 10;
  const client = postgres(url, { max, onnotice: () => {} });
  const counted = countInFlight(client);
  const db = drizzlePostgres(namedStatements(counted.sql), {
    schema: options.schema,
  }) as unknown as Database<S>;
  const heartbeatMs = options.leaseHeartbeatMs ?? 2000;
  return {
    db,
    kind: 'postgres',
    async listen(channel, onNotify) {
      const sub = await client.listen(channel, (payload) => onNotify(payload));
      return () => sub.unlisten();
    },
    async tryLock(name) {
      // Cheap pre-check on the pool, so a standby polling for the lock does not open a
      // connection each time: only when the lock looks free is a session opened to take it.
      const [probe] = await client<{ free: boolean }[]>`
        select pg_try_advisory_lock(hashtext(${name})) and pg_advisory_unlock(hashtext(${name})) as free`;
      if (!probe?.free) return null;
      return tryAdvisoryLock(url, name, heartbeatMs);
    },
    async ping() {
      await client`select 1`;
    },
    pool: () => ({ max, inFlight: counted.inFlight() }),
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/**
 * Takes an advisory lock on a connection of its own, and ties the lease to that one session:
 * it is lost when the connection closes, or when the heartbeat lands on another backend (a
 * silent reconnect has dropped the lock). Not a reserved pool connection: postgres.js 3.4
 * throws, uncaught from a timer, when a query is written to a reserved connection whose
 * socket has closed, and the heartbeat then never settles.
 */
async function tryAdvisoryLock(url: string, name: string, heartbeatMs: number): Promise<Lease | null> {
  let released = false;
  let markLost: () => void = () => {};
  const lost = new Promise<void>((resolve) => {
    markLost = () => {
      if (!released) resolve();
    };
  });
  const session = postgres(url, {
    max: 1,
    idle_timeout: 0,
    max_lifetime: 0,
    onnotice: () => {},
    onclose: () => markLost(),
    // Names the session in pg_stat_activity, so an operator can see who holds which lock.
    connection: { application_name: `lock:${name}`.slice(0, 63) },
  });
  const end = () => session.end({ timeout: 5 }).catch(() => {});
  let row: { locked: boolean; pid: number } | undefined;
  try {
    [row] = await session<{ locked: boolean; pid: number }[]>`
      select pg_try_advisory_lock(hashtext(${name})) as locked, pg_backend_pid() as pid`;
  } catch (error) {
    released = true;
    await end();
    throw error;
  }
  if (!row?.locked) {
    released = true;
    await end();
    return null;
  }
  const pid = row.pid;
  const timer = setInterval(() => {
    session<{ pid: number }[]>`select pg_backend_pid() as pid`.then(
      ([r]) => r?.pid !== pid && markLost(),
      () => markLost(),
    );
  }, heartbeatMs);
  timer.unref();
  void lost.then(() => {
    clearInterval(timer);
    void end();
  });
  return {
    lost,
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await session`select pg_advisory_unlock(hashtext(${name}))`.catch(() => {});
      await end();
    },
  };
}

/** Creates the URL's database on its server when it does not exist yet (racing creators are fine). */
export async function ensureDatabaseExists(url: string, logger: Logger): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return;
    try {
      await sql.unsafe(`create database "${name.replaceAll('"', '""')}"`);
      logger.info({ database: name }, 'created database');
    } catch (error) {
      // 42P04 duplicate_database: another process created it first.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function openPglite<S extends Schema>(options: OpenDatabaseOptions<S>): Promise<DatabaseHandle<S>> {
  const client = new PGlite(options.dataDir ?? 'memory://');
  const drizzled = drizzlePglite(client, { schema: options.schema });
  await migratePglite(drizzled, { migrationsFolder: options.migrationsFolder });
  // One process owns a PGlite database, so a lock is an in-process flag.
  const held = new Set<string>();
  return {
    db: drizzled as unknown as Database<S>,
    kind: 'pglite',
    async listen(channel, onNotify) {
      const unsubscribe = await client.listen(channel, (payload) => onNotify(payload));
      return unsubscribe;
    },
    async tryLock(name) {
      if (held.has(name)) return null;
      held.add(name);
      return {
        lost: new Promise<void>(() => {}),
        async release() {
          held.delete(name);
        },
      };
    },
    async ping() {
      await client.query('select 1');
    },
    // One connection, and its use is not counted.
    pool: () => ({ max: 1 }),
    async close() {
      await client.close();
    },
  };
}
