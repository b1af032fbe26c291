import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

export const walletStatuses = ['ACTIVE', 'ARCHIVED'] as const;
export type WalletStatus = (typeof walletStatuses)[number];

export const wallets = pgTable(
  'wallets',
  {
    id: uuid('id').primaryKey(),
    ownerId: uuid('owner_id').notNull(),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: walletStatuses }).notNull().default('ACTIVE'),
    /** The wallet opened at registration; at most one per owner. */
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('wallets_owner_idx').on(t.ownerId, t.createdAt),
    // Makes opening the default wallet idempotent: a redelivered user_registered inserts nothing.
    uniqueIndex('wallets_one_default_per_owner').on(t.ownerId).where(sql`${t.isDefault}`),
  ],
);

export type WalletRow = typeof wallets.$inferSelect;

export const archiveRequestStatuses = ['PENDING', 'CLOSED', 'REFUSED'] as const;
export type ArchiveRequestStatus = (typeof archiveRequestStatuses)[number];

/**
 * A request to archive a wallet, sent to the ledger (`wallet.archive_requested.v1`) in the same
 * transaction as its insert, and decided by the ledger's answer: CLOSED (the wallet is now
 * ARCHIVED) or REFUSED with the ledger's reason (WALLET_NOT_EMPTY). At most one PENDING request
 * per wallet: concurrent archive mutations share it.
 */
export const archiveRequests = pgTable(
  'archive_requests',
  {
    id: uuid('id').primaryKey(),
    walletId: uuid('wallet_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    status: text('status', { enum: archiveRequestStatuses }).notNull().default('PENDING'),
    reason: text('reason'),
    requestedAt: timestamp('requested_at', { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('archive_requests_one_pending_per_wallet').on(t.walletId).where(sql`${t.status} = 'PENDING'`),
  ],
);

export type ArchiveRequestRow = typeof archiveRequests.$inferSelect;

/**
 * Who has a completed transfer with which wallet (projected from
 * `transactions.operation_settled.v1`): such a counterparty may see that wallet's id and owner,
 * so a person knows who paid them, and nothing else of it.
 */
export const counterparties = pgTable(
  'counterparties',
  {
    viewerId: uuid('viewer_id').notNull(),
    walletId: uuid('wallet_id').notNull(),
    since: timestamp('since', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.viewerId, t.walletId] })],
);
export type NewCounterpartyRow = typeof counterparties.$inferInsert & { since: Date };
