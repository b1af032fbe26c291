import { budgetPeriods } from '@walletgraph/platform/periods';
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

export const jarKinds = ['INCOME', 'EXPENSE', 'SAVINGS'] as const;
export type JarKind = (typeof jarKinds)[number];
export const jarStatuses = ['ACTIVE', 'ARCHIVED'] as const;
export type JarStatus = (typeof jarStatuses)[number];
export { type BudgetPeriod, budgetPeriods } from '@walletgraph/platform/periods';

/** What jars knows of wallets, projected from `wallet.opened.v1`: whose they are and their currency. */
export const walletProjection = pgTable('wallet_projection', {
  walletId: uuid('wallet_id').primaryKey(),
  ownerId: uuid('owner_id').notNull(),
  currency: text('currency').notNull(),
  openedAt: timestamp('opened_at', { withTimezone: true }).notNull(),
});

/**
 * A jar (docs/architecture.md §6). Its money lives in the ledger (`jar:<id>`); this row holds what the
 * person configured: a SAVINGS jar's goal, an EXPENSE jar's budget. `goal_achieved_at` is set once,
 * when the balance first reaches the target; changing the goal clears it (re-arms the goal).
 */
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
    /** The wallet's currency: goals, budgets and rules are in it. */
    currency: text('currency').notNull(),
    status: text('status', { enum: jarStatuses }).notNull().default('ACTIVE'),
    /** The Income jar created with the wallet; exactly one per wallet. */
    isDefault: boolean('is_default').notNull().default(false),
    goalTargetMinor: bigint('goal_target_minor', { mode: 'bigint' }),
    goalDeadline: timestamp('goal_deadline', { withTimezone: true }),
    goalAchievedAt: timestamp('goal_achieved_at', { withTimezone: true }),
    budgetLimitMinor: bigint('budget_limit_minor', { mode: 'bigint' }),
    budgetPeriod: text('budget_period', { enum: budgetPeriods }),
    /** Percents of the limit that raise a budget alert, ascending. */
    budgetThresholds: integer('budget_thresholds').array(),
    /** An EXPENSE jar that keeps its leftover into the next period instead of returning it. */
    rollsOver: boolean('rolls_over').notNull().default(false),
    /**
     * An EXPENSE jar whose budget is a hard cap: a spend that would take the period's spending
     * past the limit is refused (by the transactions subgraph, which learns it from jar_created).
     */
    blocksOverspend: boolean('blocks_overspend').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    archivedAt: timestamp('archived_at', { withTimezone: true }),
  },
  (t) => [
    index('jars_wallet_idx').on(t.walletId, t.createdAt),
    // Makes creating the default Income jar idempotent: a redelivered wallet.opened inserts nothing.
    uniqueIndex('jars_one_default_per_wallet').on(t.walletId).where(sql`${t.isDefault}`),
    check('jars_goal_positive', sql`${t.goalTargetMinor} is null or ${t.goalTargetMinor} > 0`),
    check('jars_budget_positive', sql`${t.budgetLimitMinor} is null or ${t.budgetLimitMinor} > 0`),
  ],
);

export type JarRow = typeof jars.$inferSelect;

/** How a movement counts against a budget (projection.ts movementsOf): SPEND adds, REFUND takes back. */
export const movementKinds = ['SPEND', 'REFUND', 'OTHER'] as const;
export type MovementKind = (typeof movementKinds)[number];

/**
 * Every change of a jar's ledger balance, projected from `ledger.posted.v1` (one row per jar and
 * entry, so a redelivered event adds nothing). The sum is the jar's balance; the rows before a
 * moment give its balance then (what an expense jar had left when its period ended); SPEND rows
 * (money leaving the jar for an external account or a bill's hold) count against budgets, and
 * REFUND rows (a bill's hold released back into the jar) take theirs back. A projection, rebuilt
 * from the ledger's events; clients read balances from the ledger itself.
 */
export const jarMovements = pgTable(
  'jar_movements',
  {
    jarId: uuid('jar_id').notNull(),
    entryId: uuid('entry_id').notNull(),
    /** Signed: positive into the jar. */
    deltaMinor: bigint('delta_minor', { mode: 'bigint' }).notNull(),
    kind: text('kind', { enum: movementKinds }).notNull(),
    /** The ledger's global sequence of the entry. */
    sequence: bigint('sequence', { mode: 'bigint' }).notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jarId, t.entryId] }), index('jar_movements_time_idx').on(t.jarId, t.at)],
);

export type JarMovementRow = typeof jarMovements.$inferSelect;

/** The thresholds a budget period has already announced: the key makes each announcement happen once. */
export const budgetAlerts = pgTable(
  'budget_alerts',
  {
    jarId: uuid('jar_id').notNull(),
    periodStart: timestamp('period_start', { withTimezone: true }).notNull(),
    thresholdPercent: integer('threshold_percent').notNull(),
    spentMinor: bigint('spent_minor', { mode: 'bigint' }).notNull(),
    reachedAt: timestamp('reached_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jarId, t.periodStart, t.thresholdPercent] })],
);

/**
 * How a wallet splits each completed deposit across its jars: a whole percent or a fixed amount
 * per jar. Rules are replaced as a set (`setAllocationRules`); `position` keeps the order given.
 */
export const allocationRules = pgTable(
  'allocation_rules',
  {
    walletId: uuid('wallet_id').notNull(),
    jarId: uuid('jar_id')
      .notNull()
      .references(() => jars.id),
    position: integer('position').notNull(),
    percent: integer('percent'),
    fixedMinor: bigint('fixed_minor', { mode: 'bigint' }),
  },
  (t) => [
    primaryKey({ columns: [t.walletId, t.jarId] }),
    check(
      'allocation_rules_one_kind',
      sql`(${t.percent} is null) <> (${t.fixedMinor} is null) and coalesce(${t.percent}, 1) between 1 and 100 and coalesce(${t.fixedMinor}, 1) > 0`,
    ),
  ],
);

export type AllocationRuleRow = typeof allocationRules.$inferSelect;

export const periodActions = ['INCOME_RESET', 'LEFTOVER_RETURN'] as const;
export type PeriodAction = (typeof periodActions)[number];

/**
 * The period moves already decided: one row per jar, period end and action, inserted in the
 * same transaction as the ledger command it sends, so a second run (or a run after a crash)
 * finds it and sends nothing. `idempotency_key` is the command's deterministic key.
 */
export const periodMoves = pgTable(
  'period_moves',
  {
    jarId: uuid('jar_id').notNull(),
    periodEnd: timestamp('period_end', { withTimezone: true }).notNull(),
    action: text('action', { enum: periodActions }).notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    decidedAt: timestamp('decided_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.jarId, t.periodEnd, t.action] })],
);
