import { count, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.ts';
import { outbox } from '../src/db/tables.ts';
import { createInProcessBroker } from '../src/messaging/in-process-broker.ts';
import { enqueue } from '../src/outbox/enqueue.ts';
import { createOutboxRelay } from '../src/outbox/relay.ts';
import { walletOpened } from './support/brokers.ts';
import { migrationsFolder, testLogger, testSchema, waitFor } from './support/infra.ts';

describe('outbox relay in embedded mode (PGlite, in-process broker)', () => {
  it('publishes committed rows, woken by the commit notification, and nothing from a rollback', async () => {
    const logger = testLogger('embedded');
    const db = await openDatabase({ name: 'embedded', schema: testSchema, migrationsFolder, logger });
    const broker = createInProcessBroker({ logger });
    const received: string[] = [];
    const sub = await broker.consume({
      name: 'embedded.rx',
      routingKeys: ['wallet.*.v1'],
      prefetch: 1,
      retryDelaysMs: [],
      handle: async (d) => {
        received.push(d.id);
      },
    });
    const relay = createOutboxRelay({ db, broker, logger, name: 'embedded', pollIntervalMs: 600_000 });
    relay.start();
    try {
      const first = walletOpened();
      await db.db.transaction((tx) => enqueue(tx, first));
      await waitFor('the first event', () => received.includes(first.id));

      const rolledBack = walletOpened();
      await expect(
        db.db.transaction(async (tx) => {
          await enqueue(tx, rolledBack);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      const second = walletOpened();
      await db.db.transaction((tx) => enqueue(tx, second));
      await waitFor('the second event', () => received.includes(second.id));
      expect(received).toEqual([first.id, second.id]);
      const [row] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
      await waitFor('both rows marked published', async () => {
        const [r] = await db.db.select({ n: count() }).from(outbox).where(isNull(outbox.publishedAt));
        return r?.n === 0;
      });
      expect(row).toBeDefined();
    } finally {
      await relay.stop();
      await sub.stop();
      await broker.close();
      await db.close();
    }
  }, 60_000); // PGlite's WebAssembly start-up alone can take seconds on a busy machine.
});
