import { randomUUID } from 'node:crypto';
import { type DatabaseHandle, openDatabase } from '@walletgraph/platform/db/database';
import { testLogger } from '@walletgraph/platform/test/support/infra';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBatch } from '../commands/apply-batch.ts';
import * as schema from '../db/schema.ts';
import { readStatement } from '../db/statements.ts';
import { accountId } from '../domain/accounts.ts';
import { checkLedger } from '../operator/invariants.ts';
import { failureOf, newKey, transfer } from './harness.ts';

describe('the ledger in embedded mode (PGlite: same schema, migrations and SQL)', () => {
  // By hand, not useForSuite: a database handle closes with close(), it is not AsyncDisposable.
  let db: DatabaseHandle<typeof schema>;
  beforeAll(async () => {
    db = await openDatabase({
      name: 'ledger',
      schema,
      migrationsFolder: new URL('../db/migrations', import.meta.url).pathname,
      logger: testLogger('ledger-embedded'),
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it('posts, refuses, reads the statement and passes the invariant check', async () => {
    const walletId = randomUUID();
    const available = accountId.walletAvailable(walletId);
    const jar = accountId.jar(randomUUID());
    await db.db.insert(schema.accounts).values([
      { id: available, kind: 'WALLET_AVAILABLE', currency: 'USD', walletId, ownerId: randomUUID() },
      { id: jar, kind: 'JAR', currency: 'USD', walletId, ownerId: randomUUID() },
    ]);
    const { results } = await db.db.transaction((tx) =>
      applyBatch(tx, [
        transfer(newKey(), 'external:deposits:USD', available, 500n, 'USD'),
        transfer(newKey(), available, jar, 200n, 'USD'),
        transfer(newKey(), available, jar, 400n, 'USD'),
      ]),
    );
    expect(results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status))).toEqual([
      'POSTED',
      'POSTED',
      'INSUFFICIENT_FUNDS',
    ]);
    const lines = await readStatement(db.db, walletId, { before: null, limit: 10 });
    expect(lines.map((l) => [l.amount, l.balanceAfter])).toEqual([
      [0n, 500n],
      [500n, 500n],
    ]);
    expect((await checkLedger(db.db)).violations).toEqual([]);
    expect(await failureOf(db.db.execute(sql`delete from postings`))).toMatch(/append-only/);
  });
});
