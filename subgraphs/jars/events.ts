import { causedBy, createEvent, type Envelope, uuidv7 } from '@walletgraph/events';
import type { Executor } from '@walletgraph/platform/db/database';
import { type AddressedNotice, enqueueNotices } from '@walletgraph/platform/live/notices';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { ConsumerDefinition } from '@walletgraph/platform/subgraph';
import type { JarsServices } from './context.ts';
import * as schema from './db/schema.ts';
import { defaultJarFor } from './domain/jar.ts';
import { jarCreatedData } from './domain/jar-created.ts';
import { projectLedgerEntry } from './projection.ts';
import { allocateDeposit } from './rules.ts';

type Schema = typeof schema;

/**
 * What the jars subgraph consumes:
 * - `jars.wallet-opened`: remembers the wallet (owner, currency) and creates its Income jar,
 *   announcing it with `jars.jar_created.v1` from the same transaction. A redelivery inserts
 *   nothing and announces nothing.
 * - `jars.ledger`: the ledger's entries, projected into each jar's movements (goals, budgets,
 *   period leftovers; projection.ts).
 * - `jars.allocation`: completed deposits, split across the wallet's jars by its rules (rules.ts).
 * - `jars.live-updates`: its own announcements, turned into live notices for their owner's feed
 *   (docs/architecture.md §8) in the handler's transaction; a jar's balance changes are
 *   noticed by `jars.ledger` in the projecting transaction.
 */
export const consumers = (services: JarsServices): ConsumerDefinition<Schema>[] => [
  {
    name: 'jars.wallet-opened',
    handlers: {
      async 'wallet.opened.v1'(event, tx) {
        const { walletId, ownerId, currency } = event.data;
        const openedAt = new Date(event.occurredAt);
        await tx
          .insert(schema.walletProjection)
          .values({ walletId, ownerId, currency, openedAt })
          .onConflictDoNothing();
        const jar = defaultJarFor({ walletId, ownerId, currency }, { newId: uuidv7, now: openedAt });
        const [row] = await tx.insert(schema.jars).values(jar).onConflictDoNothing().returning();
        if (!row) return;
        await enqueue(
          tx,
          createEvent(
            'jars.jar_created.v1',
            { aggregateId: row.id, data: jarCreatedData(row) },
            causedBy(event),
          ),
        );
      },
    },
  },
  {
    name: 'jars.ledger',
    // Most entries (transfers, deposits) touch no jar: the broker does not even deliver them.
    topics: { 'ledger.posted.v1': ['*.jars'] },
    handlers: {
      async 'ledger.posted.v1'(event, tx) {
        const moved = await projectLedgerEntry(tx, event, services.logger);
        const notices = moved.map(
          (jar): AddressedNotice => ({ userId: jar.ownerId, topic: 'jarUpdated', notice: { jarId: jar.id } }),
        );
        await enqueueNotices(tx, notices, causedBy(event));
      },
    },
  },
  {
    name: 'jars.allocation',
    topics: { 'transactions.operation_settled.v1': ['deposit.completed'] },
    handlers: {
      async 'transactions.operation_settled.v1'(event, tx) {
        await allocateDeposit(tx, event);
      },
    },
  },
  {
    name: 'jars.live-updates',
    handlers: {
      async 'jars.jar_created.v1'(event, tx) {
        const { ownerId, jarId } = event.data;
        await notify(tx, event, [{ userId: ownerId, topic: 'jarUpdated', notice: { jarId } }]);
      },
      async 'jars.jar_archived.v1'(event, tx) {
        const { ownerId, jarId } = event.data;
        await notify(tx, event, [{ userId: ownerId, topic: 'jarUpdated', notice: { jarId } }]);
      },
      async 'jars.goal_achieved.v1'(event, tx) {
        const { ownerId, jarId, achievedAt } = event.data;
        await notify(tx, event, [{ userId: ownerId, topic: 'goalAchieved', notice: { jarId, achievedAt } }]);
      },
      async 'jars.budget_threshold_reached.v1'(event, tx) {
        const { ownerId, jarId, thresholdPercent, spent, limit, currency } = event.data;
        const notice = { jarId, thresholdPercent, spent, limit, currency };
        await notify(tx, event, [{ userId: ownerId, topic: 'budgetAlert', notice }]);
      },
    },
  },
];

/** Writes live notices for their owners, caused by `event`, in the handler's transaction. */
function notify(tx: Executor<Schema>, event: Envelope, notices: AddressedNotice[]): Promise<void> {
  return enqueueNotices(tx, notices, causedBy(event));
}
