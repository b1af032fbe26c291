import { ledgerRejectionReasons } from '@walletgraph/events';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  check,
  foreignKey,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

export const accountKinds = ['WALLET_AVAILABLE', 'JAR', 'HOLD', 'EXTERNAL'] as const;
export type AccountKind = (typeof accountKinds)[number];

/**
 * Ledger accounts, named by what they hold (docs/architecture.md §4): `wallet:<walletId>:available`,
 * `jar:<jarId>`, `hold:<operationId>`, `external:<purpose>:<CUR>`. Wallet and jar accounts carry
 * their owner so the ledger checks ownership from its own data, never from a caller's claim.
 *
 * `balance` is the sum of the account's postings, kept in step by the posting transaction, for
 * every account but the external ones: those are touched by nearly every entry, so a balance
 * row updated by each entry would serialise the whole ledger on one row lock. Their `balance`
 * stays 0 (the check enforces it) and their balance is derived from postings when needed.
 * `closed_at` is set when the wallet is archived: postings to a closed account are refused.
 * `expires_at` is a hold's: when the operation that placed it should have settled it (captured or
 * released), set from the command that opened the hold (`holdExpiresAt`) and never changed after.
 * `pnpm ledger:check` reports a hold still holding money past it, or holding money without one.
 */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: accountKinds }).notNull(),
    currency: text('currency').notNull(),
    walletId: uuid('wallet_id'),
    ownerId: uuid('owner_id'),
    balance: bigint('balance', { mode: 'bigint' }).notNull().default(sql`0`),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
  },
  (t) => [
    index('accounts_wallet_idx').on(t.walletId),
    // The last line of defence behind the domain's rule: no stored balance below zero, and no
    // hot balance row for external accounts.
    check(
      'accounts_balance_allowed',
      sql`case when ${t.kind} = 'EXTERNAL' then ${t.balance} = 0 else ${t.balance} >= 0 end`,
    ),
  ],
);

export type AccountRow = typeof accounts.$inferSelect;

/**
 * Journal entries: append-only (triggers in the `append_only` migration refuse UPDATE, DELETE and
 * TRUNCATE). `sequence` is global and increasing; the posting transaction draws it from the
 * column's own sequence so that entries of one batch are numbered in the order they were decided.
 */
export const journalEntries = pgTable(
  'journal_entries',
  {
    id: uuid('id').primaryKey(),
    sequence: bigserial('sequence', { mode: 'bigint' }).notNull().unique(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    /** Hash of what the command asked (postings, operation): a replay must ask the same. */
    requestHash: text('request_hash').notNull(),
    operationId: uuid('operation_id'),
    description: text('description').notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // The target of postings' (entry_id, sequence) foreign key.
  (t) => [unique('journal_entries_id_sequence_unique').on(t.id, t.sequence)],
);

export type JournalEntryRow = typeof journalEntries.$inferSelect;

/**
 * Postings: append-only, and balanced per entry and currency (a statement-level trigger checks
 * each insert). `amount` is signed: it is added to the account's balance. `sequence` repeats the
 * entry's (a foreign key keeps them equal) so an account's postings are read in ledger order from
 * one index. `balance_after` is the account's balance after the entry, for non-external accounts:
 * the statement's running balance is read from it instead of summing the account's whole history.
 *
 * `account_id` has no foreign key on purpose: the check would take a KEY SHARE lock on the
 * account row for every posting, which on an external account shared by every entry turns into
 * multixact churn on one hot row. The posting transaction reads every account it posts to, and
 * `pnpm ledger:check` reports postings to unknown accounts.
 */
export const postings = pgTable(
  'postings',
  {
    entryId: uuid('entry_id').notNull(),
    /** Position in the entry, as the command listed it. */
    line: integer('line').notNull(),
    sequence: bigint('sequence', { mode: 'bigint' }).notNull(),
    accountId: text('account_id').notNull(),
    amount: bigint('amount', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    balanceAfter: bigint('balance_after', { mode: 'bigint' }),
  },
  (t) => [
    primaryKey({ columns: [t.entryId, t.line] }),
    foreignKey({
      name: 'postings_entry_fk',
      columns: [t.entryId, t.sequence],
      foreignColumns: [journalEntries.id, journalEntries.sequence],
    }),
    index('postings_account_sequence_idx').on(t.accountId, t.sequence),
    check('postings_amount_nonzero', sql`${t.amount} <> 0`),
  ],
);

export type PostingRow = typeof postings.$inferSelect;

export const commandOutcomes = ['POSTED', 'REJECTED'] as const;

/**
 * The result of every idempotency key the ledger has decided, rejections included, so a
 * replayed command returns its original result and the same key with other postings is refused.
 * Append-only like the journal: a key's result never changes.
 */
export const ledgerCommands = pgTable(
  'ledger_commands',
  {
    idempotencyKey: text('idempotency_key').primaryKey(),
    requestHash: text('request_hash').notNull(),
    outcome: text('outcome', { enum: commandOutcomes }).notNull(),
    reason: text('reason', { enum: ledgerRejectionReasons }),
    detail: text('detail'),
    entryId: uuid('entry_id').references(() => journalEntries.id),
    /** The operation the command was sent for, so a replayed rejection can name it (reconcile). */
    operationId: uuid('operation_id'),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      'ledger_commands_outcome_shape',
      sql`(${t.outcome} = 'POSTED' and ${t.entryId} is not null and ${t.reason} is null)
        or (${t.outcome} = 'REJECTED' and ${t.entryId} is null and ${t.reason} is not null)`,
    ),
  ],
);

export type LedgerCommandRow = typeof ledgerCommands.$inferSelect;
