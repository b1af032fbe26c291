import { randomUUID } from 'node:crypto';
import { asc, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { amongJsonRowIds, insertJsonRows } from '../src/db/json-rows.ts';
import { rowsOf } from '../src/db/rows.ts';
import { outbox } from '../src/db/tables.ts';
import { createTestDatabase } from './support/infra.ts';

const dialect = new PgDialect();

describe('insertJsonRows', () => {
  it('writes every value as its column type, and leaves the columns not given to their defaults', async () => {
    await using db = await createTestDatabase();
    const published = new Date('2026-12-03T10:11:12.345Z');
    const rows = [
      {
        // Past 2^53: a bigint must arrive digit for digit.
        seq: 9_007_199_254_740_993n,
        id: randomUUID(),
        type: `it's "quoted", ünïcode and \\ backslashed`,
        envelope: { nested: { list: [1, 'two', null], text: 'line\nbreak' }, big: '12345678901234567890' },
        publishedAt: published,
      },
      { seq: 2n, id: randomUUID(), type: 'second', envelope: [], publishedAt: null },
    ];
    const before = Date.now();
    await db.handle.db.execute(insertJsonRows(outbox, rows));

    const stored = await db.handle.db.select().from(outbox).orderBy(asc(outbox.seq));
    expect(stored.map(({ createdAt: _, ...r }) => r)).toEqual([rows[1], rows[0]]);
    for (const r of stored) expect(r.createdAt.getTime()).toBeGreaterThanOrEqual(before - 60_000);
  });

  it('takes on-conflict and returning clauses, and inserts nothing for a row that conflicts', async () => {
    await using db = await createTestDatabase();
    const id = randomUUID();
    const insert = (seq: bigint) =>
      sql`${insertJsonRows(outbox, [{ seq, id, type: 't', envelope: {} }])} on conflict (id) do nothing returning seq`;
    expect(rowsOf(await db.handle.db.execute(insert(1n)))).toEqual([{ seq: '1' }]);
    expect(rowsOf(await db.handle.db.execute(insert(2n)))).toEqual([]);
  });

  it('has one statement text for any number of rows, one parameter holding them all', () => {
    const row = (n: number) => ({ id: randomUUID(), type: `t${n}`, envelope: { n } });
    const one = dialect.sqlToQuery(insertJsonRows(outbox, [row(1)]));
    const three = dialect.sqlToQuery(insertJsonRows(outbox, [row(1), row(2), row(3)]));
    expect(three.sql).toBe(one.sql);
    expect(three.params).toHaveLength(1);
    expect(JSON.parse(three.params[0] as string)).toHaveLength(3);
  });

  it('refuses an empty list and a property that is not a column', () => {
    expect(() => insertJsonRows(outbox, [])).toThrow(/at least one row/);
    expect(() =>
      insertJsonRows(outbox, [{ id: randomUUID(), type: 't', envelope: {}, colour: 'red' } as never]),
    ).toThrow(/no column for property colour/);
  });
});

describe('amongJsonRowIds', () => {
  it('lets an update joined to a jsonb recordset find its rows by index, in a table of thousands', async () => {
    await using db = await createTestDatabase();
    const { db: pg } = db.handle;
    await pg.execute(sql`insert into ${outbox} (id, type, envelope)
      select gen_random_uuid(), repeat('t', 100), '{}'::jsonb from generate_series(1, 7000)`);
    const [target] = rowsOf<{ id: string }>(
      await pg.execute(sql`select id from ${outbox} limit 1 offset 4321`),
    );
    const values = JSON.stringify([{ id: target!.id, type: 'updated' }]);
    const update = (where: ReturnType<typeof sql>) => sql`update ${outbox} set type = v.type
      from jsonb_to_recordset(${values}::jsonb) as v(id uuid, type text)
      where ${where}`;
    const planOf = async (statement: ReturnType<typeof sql>) =>
      rowsOf<{ 'QUERY PLAN': string }>(await pg.execute(sql`explain ${statement}`))
        .map((r) => r['QUERY PLAN'])
        .join('\n');

    // The join alone: the planner reads the whole table (the reason for the helper).
    expect(await planOf(update(sql`${outbox.id} = v.id`))).toMatch(/Seq Scan on outbox/);
    const among = update(sql`${outbox.id} = v.id and ${amongJsonRowIds(outbox.id, values, 'uuid')}`);
    const plan = await planOf(among);
    expect(plan).not.toMatch(/Seq Scan on outbox/);
    expect(plan).toMatch(/Index/);

    await pg.execute(among);
    const types = rowsOf<{ type: string }>(
      await pg.execute(sql`select type from ${outbox} where type = 'updated'`),
    );
    expect(types).toHaveLength(1);
  });
});
