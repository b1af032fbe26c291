import { causedBy, createEvent, uuidv7 } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { ConsumerDefinition } from '@walletgraph/platform/subgraph';
import * as schema from './db/schema.ts';
import { defaultJarFor } from './domain/jar.ts';
import { jarCreatedData } from './domain/jar-created.ts';
import { projectLedgerEntry } from './projection.ts';
import { allocateDeposit } from './rules.ts';
import type { JarsServices } from './services.ts';

type Schema = typeof schema;

/**
 * What the jars subgraph consumes:
 * - `jars.wallet-opened`: remembers the wallet (owner, currency) and creates its Income jar,
 *   announcing it with `jars.jar_created.v1` from the same transaction. A redelivery inserts
 *   nothing and announces nothing.
 * - `jars.ledger`: the ledger's entries, projected into each jar's movements (goals, budgets,
 *   period leftovers; projection.ts).
 * - `jars.allocation`: completed deposits, split across the wallet's jars by its rules (rules.ts).
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
    handlers: {
      async 'ledger.posted.v1'(event, tx) {
        await projectLedgerEntry(tx, event, services.logger);
      },
    },
  },
  {
    name: 'jars.allocation',
    handlers: {
      async 'transactions.operation_settled.v1'(event, tx) {
        if (event.data.kind === 'DEPOSIT' && event.data.status === 'COMPLETED')
          await allocateDeposit(tx, event);
      },
    },
  },
];
