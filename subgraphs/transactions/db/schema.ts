import { operationKinds } from '@walletgraph/events';
import { budgetPeriods } from '@walletgraph/platform/periods';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

export const operationStatuses = ['PENDING', 'COMPLETED', 'FAILED'] as const;
export type OperationStatus = (typeof operationStatuses)[number];
export const walletStatuses = ['ACTIVE', 'ARCHIVED'] as const;
export type WalletStatus = (typeof walletStatuses)[number];
export const jarKinds = ['INCOME', 'EXPENSE', 'SAVINGS'] as const;
export type JarKind = (typeof jarKinds)[number];
export const jarStatuses = ['ACTIVE', 'ARCHIVED'] as const;
export type JarStatus = (typeof jarStatuses)[number];
export const holdStatuses = ['OPEN', 'CAPTURED', 'RELEASED'] as const;
export type HoldStatus = (typeof holdStatuses)[number];

/** What a biller issued for a payment (`Operation.receipt`). */
export interface BillReceipt {
  billerReference: string;
  token: string | null;
  units: string | null;
  /** ISO 8601. */
  issuedAt: string;
}

/**
 * A money operation a user asked for (docs/architecture.md §5). Inserted PENDING with its ledger
 * command in one transaction; settled COMPLETED or FAILED from the ledger's answer.
 * `idempotency_key` is unique per user; `request_hash` detects a key reused with other input.
 * A transfer is one row, owned by the sender; the recipient's side is `counterparty_*`, so the
 * same row shows on both wallets. A jar move is on its jar's wallet: `jar_id` is the jar it
 * allocates to, releases or spends from, or moves from; `counterparty_jar_id` a move's target.
 */
export const operations = pgTable(
  'operations',
  {
    id: uuid('id').primaryKey(),
    ownerId: uuid('owner_id').notNull(),
    walletId: uuid('wallet_id').notNull(),
    kind: text('kind', { enum: operationKinds }).notNull(),
    status: text('status', { enum: operationStatuses }).notNull().default('PENDING'),
    failureCode: text('failure_code'),
    /** The amount moved, always positive; the direction follows from kind and side. */
    amountMinor: bigint('amount_minor', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    counterpartyWalletId: uuid('counterparty_wallet_id'),
    /** The recipient of a transfer, who may see it once it has COMPLETED. */
    counterpartyOwnerId: uuid('counterparty_owner_id'),
    jarId: uuid('jar_id'),
    counterpartyJarId: uuid('counterparty_jar_id'),
    note: text('note'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    /** The journal entry of a COMPLETED operation (a bill payment's: the capture). */
    ledgerEntryId: uuid('ledger_entry_id'),
    /** BILL_PAYMENT: the biller's id in its catalog and the customer's reference there. */
    billerId: text('biller_id'),
    billReference: text('bill_reference'),
    /** BILL_PAYMENT: null until the ledger placed the hold, then OPEN, CAPTURED or RELEASED. */
    holdStatus: text('hold_status', { enum: holdStatuses }),
    /** BILL_PAYMENT: after this, an open hold is settled by asking the biller (never by guessing). */
    holdExpiresAt: timestamp('hold_expires_at', { withTimezone: true }),
    /** BILL_PAYMENT, once the biller was paid. */
    receipt: jsonb('receipt').$type<BillReceipt>(),
    /** The scheduled payment this operation is a run of. */
    scheduleId: uuid('schedule_id'),
    // Millisecond precision, like a JavaScript Date: a page cursor carries it exactly.
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('operations_owner_key_idx').on(t.ownerId, t.idempotencyKey),
    // Wallet.operations pages newest first over each side with these two.
    index('operations_wallet_page_idx').on(t.walletId, t.createdAt, t.id),
    index('operations_counterparty_page_idx')
      .on(t.counterpartyWalletId, t.createdAt, t.id)
      .where(sql`${t.counterpartyWalletId} is not null`),
    // A spend from a jar that blocks overspending sums its jar's spends in the current period.
    index('operations_jar_spend_idx')
      .on(t.jarId, t.createdAt)
      .where(sql`${t.kind} in ('JAR_SPEND', 'BILL_PAYMENT')`),
    // ScheduledPayment.runs pages newest first.
    index('operations_schedule_page_idx')
      .on(t.scheduleId, t.createdAt, t.id)
      .where(sql`${t.scheduleId} is not null`),
  ],
);

export type OperationRow = typeof operations.$inferSelect;
export type NewOperationRow = typeof operations.$inferInsert;

/**
 * What transactions knows of wallets, projected from `wallet.opened.v1` and `wallet.archived.v1`:
 * whose they are, their currency, whether they are their owner's default (a transfer by email
 * lands there) and whether they still accept operations.
 */
export const walletProjection = pgTable(
  'wallet_projection',
  {
    walletId: uuid('wallet_id').primaryKey(),
    ownerId: uuid('owner_id').notNull(),
    currency: text('currency').notNull(),
    isDefault: boolean('is_default').notNull(),
    status: text('status', { enum: walletStatuses }).notNull().default('ACTIVE'),
    openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('wallet_projection_default_idx').on(t.ownerId).where(sql`${t.isDefault}`)],
);

export type WalletProjectionRow = typeof walletProjection.$inferSelect;

/**
 * What transactions knows of jars, projected from `jars.jar_created.v1` and `jars.jar_archived.v1`:
 * whose they are, which wallet holds them, its currency, and whether they still accept moves.
 * `name` and `kind` are as created (no event announces a rename), and so is an EXPENSE jar's
 * budget: null for other jars and for jars announced before events carried budgets, which
 * therefore enforce nothing. A spend from a jar that blocks overspending locks this row.
 */
export const jarProjection = pgTable(
  'jar_projection',
  {
    jarId: uuid('jar_id').primaryKey(),
    walletId: uuid('wallet_id').notNull(),
    ownerId: uuid('owner_id').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: jarKinds }).notNull(),
    currency: text('currency').notNull(),
    status: text('status', { enum: jarStatuses }).notNull().default('ACTIVE'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    budgetLimitMinor: bigint('budget_limit_minor', { mode: 'bigint' }),
    budgetPeriod: text('budget_period', { enum: budgetPeriods }),
    blocksOverspend: boolean('blocks_overspend'),
  },
  (t) => [
    check(
      'jar_projection_budget_whole',
      sql`(${t.budgetLimitMinor} is null) = (${t.budgetPeriod} is null) and (${t.budgetLimitMinor} is null) = (${t.blocksOverspend} is null)`,
    ),
  ],
);

export type JarProjectionRow = typeof jarProjection.$inferSelect;

/**
 * Users' proven emails, projected from `identity.email_verified.v1`, so a transfer can name its
 * recipient by email (an address no one proved they receive mail at is nobody's). `updated_at` is the occurrence time of the event the
 * email came from: an older event never overwrites a newer one.
 */
export const userEmails = pgTable(
  'user_emails',
  {
    userId: uuid('user_id').primaryKey(),
    /** Normalised: trimmed and lower-cased, as identity stores it. */
    email: text('email').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  // Not unique: an email moving between accounts may be seen on both for a moment.
  (t) => [index('user_emails_email_idx').on(t.email)],
);

export const billPaymentSteps = ['HOLD', 'PAY', 'SETTLE', 'DONE'] as const;
export type BillPaymentStep = (typeof billPaymentSteps)[number];

/**
 * The payment worker's work on one BILL_PAYMENT operation (docs/architecture.md §5), inserted with
 * the operation. `step`: HOLD while the ledger places the hold; PAY while the biller is to be paid
 * or asked; SETTLE once its answer is recorded and the capture or release is on its way to the
 * ledger; DONE once the operation settled. `calls` counts the payment calls made (each claimed
 * and committed before the call goes out), so a claim after a crash knows the biller may have
 * been paid and asks it first. `next_attempt_at` is when the row may be claimed again: a claim
 * pushes it past the longest a call can take, so a worker killed mid-call leaves it to another.
 */
export const billPayments = pgTable(
  'bill_payments',
  {
    operationId: uuid('operation_id').primaryKey(),
    step: text('step', { enum: billPaymentSteps }).notNull().default('HOLD'),
    calls: integer('calls').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    /** The code of a definite failure (BILLER_REJECTED, ...): the release settles the operation with it. */
    failureCode: text('failure_code'),
    /** The last transient failure, for operators. */
    lastError: text('last_error'),
  },
  (t) => [index('bill_payments_due_idx').on(t.nextAttemptAt).where(sql`${t.step} = 'PAY'`)],
);

export type BillPaymentRow = typeof billPayments.$inferSelect;

export const scheduleFrequencies = ['ONCE', 'WEEKLY', 'MONTHLY'] as const;
export type ScheduleFrequency = (typeof scheduleFrequencies)[number];
export const scheduleStatuses = ['ACTIVE', 'PAUSED', 'CANCELLED', 'FINISHED'] as const;
export type ScheduleStatus = (typeof scheduleStatuses)[number];
export const scheduleKinds = ['TRANSFER', 'BILL_PAYMENT'] as const;
export type ScheduleKind = (typeof scheduleKinds)[number];

/**
 * Scheduled payments: a transfer or bill payment made once at a time or on a weekly or monthly
 * rhythm. Each run is an ordinary operation (`operations.schedule_id`) whose idempotency key is
 * the schedule id and the run's date, so a run is made once whichever replica makes it.
 * `next_run_at` is null once nothing is left to run.
 */
export const scheduledPayments = pgTable(
  'scheduled_payments',
  {
    id: uuid('id').primaryKey(),
    ownerId: uuid('owner_id').notNull(),
    walletId: uuid('wallet_id').notNull(),
    jarId: uuid('jar_id'),
    kind: text('kind', { enum: scheduleKinds }).notNull(),
    amountMinor: bigint('amount_minor', { mode: 'bigint' }).notNull(),
    currency: text('currency').notNull(),
    frequency: text('frequency', { enum: scheduleFrequencies }).notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true, precision: 3 }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true, precision: 3 }),
    dayOfMonth: integer('day_of_month'),
    nextRunAt: timestamp('next_run_at', { withTimezone: true, precision: 3 }),
    status: text('status', { enum: scheduleStatuses }).notNull().default('ACTIVE'),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** TRANSFER: the recipient as given (a wallet id, or an email read at each run). */
    toWalletId: uuid('to_wallet_id'),
    toEmail: text('to_email'),
    /** BILL_PAYMENT. */
    billerId: text('biller_id'),
    billReference: text('bill_reference'),
    note: text('note'),
    idempotencyKey: text('idempotency_key').notNull(),
    requestHash: text('request_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('scheduled_payments_owner_key_idx').on(t.ownerId, t.idempotencyKey),
    index('scheduled_payments_wallet_idx').on(t.walletId, t.createdAt),
    index('scheduled_payments_due_idx').on(t.nextRunAt).where(sql`${t.status} = 'ACTIVE'`),
  ],
);

export type ScheduledPaymentRow = typeof scheduledPayments.$inferSelect;
