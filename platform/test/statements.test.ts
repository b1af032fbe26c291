import { eq, inArray, sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../src/db/rows.ts';
import { MAX_NAMED_PARAMETERS, namedStatements } from '../src/db/statements.ts';
import { createTestDatabase } from './support/infra.ts';
import { useForSuite } from './support/use-for-suite.ts';

const things = pgTable('things', { id: integer('id').primaryKey(), name: text('name').notNull() });

const scratch = useForSuite(() => createTestDatabase());
let client: postgres.Sql;
let db: ReturnType<typeof drizzle>;

beforeAll(async () => {
  // One connection: every query below runs on the session whose prepared statements are read.
  client = postgres(scratch.url, { max: 1, onnotice: () => {} });
  db = drizzle(namedStatements(client));
  await db.execute(sql`create table things (id integer primary key, name text not null)`);
  await db.insert(things).values(Array.from({ length: 100 }, (_, i) => ({ id: i, name: `thing ${i}` })));
});

afterAll(async () => {
  await client?.end({ timeout: 5 });
});

/** How often this session prepared a statement whose text contains `fragment`. */
async function prepared(fragment: string): Promise<number> {
  const rows = rowsOf<{ statement: string }>(
    await db.execute(sql`select statement from pg_prepared_statements`),
  );
  return rows.filter((r) => r.statement.includes(fragment)).length;
}

describe('named statements', () => {
  it('prepares a query with parameters once and runs it again by name', async () => {
    const byId = (id: number) => db.select().from(things).where(eq(things.id, id));
    expect(await byId(7)).toEqual([{ id: 7, name: 'thing 7' }]);
    expect(await byId(8)).toEqual([{ id: 8, name: 'thing 8' }]);
    expect(await prepared('where "things"."id" = $1')).toBe(1);
  });

  it('does the same inside a transaction and a savepoint', async () => {
    const named = await db.transaction(async (tx) => {
      const [outer] = await tx.select().from(things).where(eq(things.name, 'thing 3'));
      const inner = await tx.transaction(async (sp) => {
        const [row] = await sp.select().from(things).where(eq(things.name, 'thing 4'));
        return row;
      });
      return [outer, inner];
    });
    expect(named).toEqual([
      { id: 3, name: 'thing 3' },
      { id: 4, name: 'thing 4' },
    ]);
    expect(await prepared('where "things"."name" = $1')).toBe(1);
  });

  it('leaves queries without parameters, or with more than the bound, unnamed', async () => {
    const all = await db.select().from(things).orderBy(things.id);
    expect(all).toHaveLength(100);
    const many = Array.from({ length: MAX_NAMED_PARAMETERS + 1 }, (_, i) => i);
    const found = await db.select().from(things).where(inArray(things.id, many));
    expect(found).toHaveLength(MAX_NAMED_PARAMETERS + 1);
    expect(await prepared('order by "things"."id"')).toBe(0);
    expect(await prepared(`$${MAX_NAMED_PARAMETERS + 1})`)).toBe(0);
  });
});
