import { causedBy, createEvent, uuidv7 } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { type AddressedNotice, publishAll } from '@walletgraph/platform/pubsub';
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
 * - `jars.live-updates`: its own announcements, published to their owner's subscriptions as
 *   id-only notices (docs/architecture.md §8) once committed; a jar's balance changes are published
 *   from `jars.ledger` after its commit.
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
      async 'ledger.posted.v1'(event, tx, ctx) {
        const moved = await projectLedgerEntry(tx, event, services.logger);
        ctx.afterCommit(() =>
          notify(
            services,
            moved.map((jar) => ({ userId: jar.ownerId, topic: 'jarUpdated', notice: { jarId: jar.id } })),
          ),
        );
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
    effectHandlers: {
      async 'jars.jar_created.v1'(event) {
        const { ownerId, jarId } = event.data;
        await notify(services, [{ userId: ownerId, topic: 'jarUpdated', notice: { jarId } }]);
      },
      async 'jars.jar_archived.v1'(event) {
        const { ownerId, jarId } = event.data;
        await notify(services, [{ userId: ownerId, topic: 'jarUpdated', notice: { jarId } }]);
      },
      async 'jars.goal_achieved.v1'(event) {
        const { ownerId, jarId, achievedAt } = event.data;
        await notify(services, [{ userId: ownerId, topic: 'goalAchieved', notice: { jarId, achievedAt } }]);
      },
      async 'jars.budget_threshold_reached.v1'(event) {
        const { ownerId, jarId, thresholdPercent, spent, limit, currency } = event.data;
        const notice = { jarId, thresholdPercent, spent, limit, currency };
        await notify(services, [{ userId: ownerId, topic: 'budgetAlert', notice }]);
      },
    },
  },
];

/** Publishes live notices to their owners (publishAll: retried from a handler, logged after commit). */
function notify(services: JarsServices, notices: AddressedNotice[]): Promise<void> {
  return publishAll(services.publisher, notices);
}
