import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

export const jarKinds = ['INCOME', 'EXPENSE', 'SAVINGS'] as const;
export type JarKind = (typeof jarKinds)[number];
export const jarStatuses = ['ACTIVE', 'ARCHIVED'] as const;

/** What jars knows of wallets, projected from `wallet.opened.v1`: whose they are and their currency. */
export const walletProjection = pgTable('wallet_projection', {
  walletId: uuid('wallet_id').primaryKey(),
  ownerId: uuid('owner_id').notNull(),
  currency: text('currency').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
});

export const jars = pgTable(
  'jars',
  {
    id: uuid('id').primaryKey(),
    walletId: uuid('wallet_id')
      .notNull()
      .references(() => walletProjection.walletId),
    ownerId: uuid('owner_id').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: jarKinds }).notNull(),
    status: text('status', { enum: jarStatuses }).notNull().default('ACTIVE'),
    /** The Income jar created with the wallet; exactly one per wallet. */
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('jars_wallet_idx').on(t.walletId, t.createdAt),
    // Makes creating the default Income jar idempotent: a redelivered wallet.opened inserts nothing.
    uniqueIndex('jars_one_default_per_wallet').on(t.walletId).where(sql`${t.isDefault}`),
  ],
);

export type JarRow = typeof jars.$inferSelect;
