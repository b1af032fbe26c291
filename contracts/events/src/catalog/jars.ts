import { z } from 'zod';
import { currency, id, minorUnits } from './fields.ts';

/** The events the jars subgraph publishes. */
export const jarsEvents = {
  'jars.jar_created.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      name: z.string().min(1),
      kind: z.enum(['INCOME', 'EXPENSE', 'SAVINGS']),
      /** The wallet's currency, so consumers need not have seen wallet.opened first. */
      currency,
      /**
       * An EXPENSE jar's budget: its limit per calendar period (UTC) and whether a spend past it
       * is refused rather than allowed. Null for other kinds. Optional so that events published
       * before it existed still parse: a jar announced without it has no budget to enforce.
       */
      budget: z
        .object({
          limit: minorUnits.regex(/^[1-9]\d*$/, 'a positive amount'),
          period: z.enum(['WEEKLY', 'MONTHLY']),
          blocksOverspend: z.boolean(),
        })
        .nullable()
        .optional(),
    }),
  },
  /**
   * A jar was archived (docs/architecture.md §6): it accepts no more moves. The ledger answers by
   * moving the jar's whole remaining balance back to the wallet's available account and closing
   * the jar's account, in one transaction (a `ledger.posted.v1` with key `jar-archive:<jarId>`
   * when there was money to move).
   */
  'jars.jar_archived.v1': {
    aggregateType: 'Jar',
    data: z.object({ jarId: id, walletId: id, ownerId: id }),
  },
  /** A savings jar's balance first reached its goal's target; once per goal (a changed goal re-arms it). */
  'jars.goal_achieved.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      target: minorUnits,
      currency,
      achievedAt: z.iso.datetime({ offset: true }),
    }),
  },
  /** An expense jar's spending in its current period crossed one of its thresholds; once per threshold and period. */
  'jars.budget_threshold_reached.v1': {
    aggregateType: 'Jar',
    data: z.object({
      jarId: id,
      walletId: id,
      ownerId: id,
      thresholdPercent: z.number().int().min(1).max(1000),
      periodStart: z.iso.datetime({ offset: true }),
      spent: minorUnits,
      limit: minorUnits,
      currency,
    }),
  },
} as const;
