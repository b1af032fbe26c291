import { causedBy, createEvent, uuidv7 } from '@walletgraph/events';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { parseCurrency } from '@walletgraph/platform/money';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { ConsumerDefinition } from '@walletgraph/platform/subgraph';
import { sql } from 'drizzle-orm';
import { applyWalletClosed, applyWalletCloseRefused } from './archive.ts';
import * as schema from './db/schema.ts';
import { counterpartiesOf, defaultWalletFor } from './domain/wallet.ts';

type Schema = typeof schema;

/**
 * The wallet subgraph consumes:
 * - `identity.user_registered.v1`, and opens the user's default wallet, announcing it with
 *   `wallet.opened.v1` from the same transaction. A redelivery inserts nothing (one default
 *   wallet per owner) and so announces nothing.
 * - the ledger's answers to its archive requests (archive.ts): `ledger.wallet_closed.v1` archives
 *   the wallet and announces `wallet.archived.v1`; `ledger.wallet_close_refused.v1` records why not.
 * - `transactions.operation_settled.v1`: each side of a completed transfer becomes a counterparty
 *   of the other's wallet (it may then see that wallet's id and owner). Idempotent by key; a
 *   pair seen for the first time is announced with `wallet.counterparty_added.v1`.
 */
export const consumers = (): ConsumerDefinition<Schema>[] => [
  {
    name: 'wallet.user-registered',
    handlers: {
      async 'identity.user_registered.v1'(event, tx) {
        const wallet = defaultWalletFor(
          { userId: event.data.userId, currency: parseCurrency(event.data.currency, 'currency') },
          { newId: uuidv7, now: new Date(event.occurredAt) },
        );
        const inserted = await tx.insert(schema.wallets).values(wallet).onConflictDoNothing().returning();
        const row = inserted[0];
        if (!row) return;
        await enqueue(tx, openedEvent(row, causedBy(event)));
      },
    },
  },
  {
    name: 'wallet.archive-answers',
    handlers: {
      async 'ledger.wallet_closed.v1'(event, tx) {
        const { requestId, walletId } = event.data;
        await applyWalletClosed(tx, { requestId, walletId, at: new Date(event.occurredAt) }, causedBy(event));
      },
      async 'ledger.wallet_close_refused.v1'(event, tx) {
        const { requestId, reason } = event.data;
        await applyWalletCloseRefused(tx, { requestId, reason, at: new Date(event.occurredAt) });
      },
    },
  },
  {
    name: 'wallet.transfer-counterparties',
    // Only completed transfers make counterparties.
    topics: { 'transactions.operation_settled.v1': ['transfer.completed'] },
    // Set-based: one insert for every pair a batch of settlements makes.
    batchHandlers: {
      async 'transactions.operation_settled.v1'(events, tx) {
        const pairs = new Map<string, schema.NewCounterpartyRow>();
        const owners = new Map<string, string>();
        const causes = new Map<string, ReturnType<typeof causedBy>>();
        for (const event of events) {
          for (const pair of counterpartiesOf(event.data)) {
            const key = `${pair.viewerId}:${pair.walletId}`;
            const since = new Date(event.occurredAt);
            const known = pairs.get(key);
            if (!known || since < known.since) {
              pairs.set(key, { viewerId: pair.viewerId, walletId: pair.walletId, since });
              causes.set(key, causedBy(event));
            }
            owners.set(key, pair.ownerId);
          }
        }
        if (pairs.size === 0) return;
        // One jsonb parameter: one statement text for a batch of any size. The pairs it adds
        // (not the ones already known) are announced, once each.
        const added = rowsOf<{ viewer_id: string; wallet_id: string }>(
          await tx.execute(
            sql`${insertJsonRows(schema.counterparties, [...pairs.values()])} on conflict do nothing returning viewer_id::text, wallet_id::text`,
          ),
        );
        for (const row of added) {
          const key = `${row.viewer_id}:${row.wallet_id}`;
          await enqueue(
            tx,
            createEvent(
              'wallet.counterparty_added.v1',
              {
                aggregateId: row.wallet_id,
                occurredAt: pairs.get(key)!.since,
                data: { viewerId: row.viewer_id, walletId: row.wallet_id, ownerId: owners.get(key)! },
              },
              causes.get(key)!,
            ),
          );
        }
      },
    },
  },
];

/** The `wallet.opened.v1` event for a wallet row. */
export function openedEvent(row: schema.WalletRow, meta: Parameters<typeof createEvent>[2]) {
  return createEvent(
    'wallet.opened.v1',
    {
      aggregateId: row.id,
      data: {
        walletId: row.id,
        ownerId: row.ownerId,
        name: row.name,
        currency: row.currency,
        isDefault: row.isDefault,
      },
    },
    meta,
  );
}
