import { sql } from 'drizzle-orm';
import { bigserial, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Tables every subgraph database has. Each subgraph's `db/schema.ts` re-exports them so that
 * drizzle-kit generates them into that subgraph's own migrations.
 */

/**
 * Transactional outbox: a row is inserted in the same transaction as the state change it
 * announces, and the relay publishes it after commit. `seq` orders publishing; `published_at`
 * is set only after the broker confirmed the message.
 */
export const outbox = pgTable(
  'outbox',
  {
    seq: bigserial('seq', { mode: 'bigint' }).primaryKey(),
    id: uuid('id').notNull().unique(),
    type: text('type').notNull(),
    envelope: jsonb('envelope').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [index('outbox_unpublished_idx').on(t.seq).where(sql`${t.publishedAt} is null`)],
);

/**
 * Consumer inbox: a row per (consumer, message id) handled, inserted in the handler's own
 * transaction, so a redelivered message is recognised and skipped.
 */
export const inbox = pgTable(
  'inbox',
  {
    consumer: text('consumer').notNull(),
    messageId: uuid('message_id').notNull(),
    type: text('type').notNull(),
    handledAt: timestamp('handled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.messageId] })],
);
