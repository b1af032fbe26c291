import { isNull, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { expect, it } from 'vitest';
import { rowsOf } from '../src/db/rows.ts';
import { outbox } from '../src/db/tables.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { markPublished } from '../src/outbox/relay.ts';
import { walletOpened } from './support/brokers.ts';
import { createTestDatabase } from './support/infra.ts';

it('marks rows published with a relaxed commit that does not outlive its statement', async () => {
  await using db = await createTestDatabase();
  await enqueue(db.handle.db, [walletOpened(), walletOpened(), walletOpened()]);
  const rows = await db.handle.db.select({ seq: outbox.seq }).from(outbox).orderBy(outbox.seq);
  // One connection: the setting is read back on the very session that marked the rows.
  const client = postgres(db.url, { max: 1, onnotice: () => {} });
  try {
    const session = drizzle(client);
    await markPublished(
      session,
      rows.slice(0, 2).map((r) => r.seq),
    );
    const unpublished = await session
      .select({ seq: outbox.seq })
      .from(outbox)
      .where(isNull(outbox.publishedAt));
    expect(unpublished).toEqual([rows[2]]);
    const [setting] = rowsOf<{ synchronous_commit: string }>(
      await session.execute(sql`show synchronous_commit`),
    );
    expect(setting?.synchronous_commit).toBe('on');
  } finally {
    await client.end({ timeout: 5 });
  }
});
