import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Schema } from './database.ts';

export interface Connection<S extends Schema> {
  readonly db: Database<S>;
  close(): Promise<void>;
}

/**
 * A plain connection to an existing Postgres database: unlike `openDatabase`, it neither creates
 * the database nor applies migrations. For operator tools (`pnpm ledger:check`) that inspect a
 * database and must not change it, nor conjure an empty one from a mistyped URL.
 */
export function connectDatabase<S extends Schema>(
  url: string,
  schema: S,
  options: { max?: number } = {},
): Connection<S> {
  const client = postgres(url, { max: options.max ?? 1, onnotice: () => {} });
  return {
    db: drizzle(client, { schema }) as unknown as Database<S>,
    close: () => client.end({ timeout: 5 }),
  };
}
