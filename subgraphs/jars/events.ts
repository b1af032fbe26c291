import { causedBy, createEvent, uuidv7 } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { ConsumerDefinition } from '@walletgraph/platform/subgraph';
import * as schema from './db/schema.ts';
import { defaultJarFor } from './domain/jar.ts';

type Schema = typeof schema;

/**
 * On `wallet.opened.v1`: remember the wallet (owner, currency) and create its Income jar,
 * announcing it with `jars.jar_created.v1` from the same transaction. A redelivery inserts
 * nothing and announces nothing.
 */
export const consumers = (): ConsumerDefinition<Schema>[] => [
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
        const jar = defaultJarFor({ walletId, ownerId }, { newId: uuidv7, now: openedAt });
        const [row] = await tx.insert(schema.jars).values(jar).onConflictDoNothing().returning();
        if (!row) return;
        await enqueue(
          tx,
          createEvent(
            'jars.jar_created.v1',
            {
              aggregateId: row.id,
              data: { jarId: row.id, walletId, ownerId, name: row.name, kind: row.kind, currency },
            },
            causedBy(event),
          ),
        );
      },
    },
  },
];
