import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect } from 'amqplib';
import postgres from 'postgres';
import { type DatabaseHandle, openDatabase, type Schema } from '../../src/db/database.ts';
import { inbox, outbox } from '../../src/db/tables.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { testServices } from './services.ts';

export const PG_URL = testServices.postgres;
export const AMQP_URL = testServices.amqp;
export const migrationsFolder = fileURLToPath(new URL('../fixtures/migrations', import.meta.url));

export const testSchema = { outbox, inbox };
export type TestSchema = typeof testSchema;

export function testLogger(name = 'test'): Logger {
  return createLogger(name, process.env.TEST_LOG_LEVEL ?? 'silent');
}

/** A name no other test file or concurrent run uses: `wgtest_<label>_<random>`. */
export function uniqueName(label: string): string {
  return `wgtest_${label}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase<S extends Schema = TestSchema> extends AsyncDisposable {
  readonly url: string;
  readonly handle: DatabaseHandle<S>;
  /** Another handle on the same database, as a second replica would have. */
  open(options?: { leaseHeartbeatMs?: number }): Promise<DatabaseHandle<S>>;
}

export interface TestDatabaseOptions<S extends Schema> {
  leaseHeartbeatMs?: number;
  /** A subgraph's drizzle schema and migrations; default the outbox and inbox tables alone. */
  schema?: S;
  migrationsFolder?: string;
}

/** A throwaway database, migrated; dropped (with its connections) on dispose. */
export async function createTestDatabase<S extends Schema = TestSchema>(
  options: TestDatabaseOptions<S> = {},
): Promise<TestDatabase<S>> {
  const name = uniqueName('db');
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const handles: DatabaseHandle<S>[] = [];
  const open = async (settings: { leaseHeartbeatMs?: number } = options) => {
    const h = await openDatabase({
      name,
      schema: options.schema ?? (testSchema as unknown as S),
      migrationsFolder: options.migrationsFolder ?? migrationsFolder,
      logger: testLogger(),
      url: url.toString(),
      ...(settings.leaseHeartbeatMs ? { leaseHeartbeatMs: settings.leaseHeartbeatMs } : {}),
    });
    handles.push(h);
    return h;
  };
  const handle = await open();
  return {
    url: url.toString(),
    handle,
    open,
    async [Symbol.asyncDispose]() {
      await Promise.allSettled(handles.map((h) => h.close()));
      await dropTestDatabase(name);
    },
  };
}

/** Drops a test database on the test server, closing whatever connections it still has. */
export async function dropTestDatabase(name: string): Promise<void> {
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/**
 * Tests that use RabbitMQ hold this lock shared; the broker-restart test holds it exclusive,
 * so it never stops the broker under another test file of this suite running in parallel.
 * It is a Postgres advisory lock because test files run in separate worker processes.
 */
export async function holdRabbitLock(mode: 'shared' | 'exclusive'): Promise<AsyncDisposable> {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {}, idle_timeout: 0 });
  const fn = mode === 'shared' ? 'pg_advisory_lock_shared' : 'pg_advisory_lock';
  await sql.unsafe(`select ${fn}(hashtext('walletgraph-test:rabbitmq'))`);
  return {
    async [Symbol.asyncDispose]() {
      await sql.end({ timeout: 5 });
    },
  };
}

const run = promisify(execFile);

/** Runs rabbitmqctl (we are root on the test machine). */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 120_000 });
  return stdout;
}

/** Deletes every queue and exchange whose name starts with `prefix`. */
export async function deleteAmqpObjects(prefix: string): Promise<void> {
  const queues = (await rabbitmqctl('list_queues', '-q', '--no-table-headers', 'name')).split('\n');
  const exchanges = (await rabbitmqctl('list_exchanges', '-q', '--no-table-headers', 'name')).split('\n');
  const connection = await connect(AMQP_URL);
  try {
    const ch = await connection.createChannel();
    for (const q of queues.map((l) => l.trim()).filter((n) => n.startsWith(prefix))) await ch.deleteQueue(q);
    for (const e of exchanges.map((l) => l.trim()).filter((n) => n.startsWith(prefix)))
      await ch.deleteExchange(e);
    await ch.close();
  } finally {
    await connection.close();
  }
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it returns a truthy value, failing with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  { timeoutMs = 15_000, intervalMs = 25 } = {},
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
