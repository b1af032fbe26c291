import { and, isNotNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { outbox } from '../db/tables.ts';

/**
 * Deletes outbox rows published more than `olderThanMs` ago (by the database's clock, so app
 * servers with skewed clocks agree). Unpublished rows are never touched. Returns the count.
 */
export async function pruneOutbox(db: Executor, olderThanMs: number): Promise<number> {
  const deleted = await db
    .delete(outbox)
    .where(
      and(
        isNotNull(outbox.publishedAt),
        lt(outbox.publishedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000}::double precision)`),
      ),
    )
    .returning({ seq: outbox.seq });
  return deleted.length;
}
