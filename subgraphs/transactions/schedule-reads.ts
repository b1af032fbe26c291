import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { parseId } from '@walletgraph/platform/ids';
import { oncePer } from '@walletgraph/platform/once-per';
import { and, desc, eq, lt, or } from 'drizzle-orm';
import type { TransactionsContext } from './context.ts';
import { operations, type ScheduledPaymentRow, scheduledPayments } from './db/schema.ts';
import { type Cursor, type Page, type PageRequest, pageOf } from './domain/pages.ts';
import type { OperationView } from './domain/view.ts';

/**
 * The read side of scheduled payments: `Query.scheduledPayment`, `Operation.schedule`,
 * `Wallet.scheduledPayments` and `ScheduledPayment.runs`. Only the owner sees a schedule;
 * anyone else reads null or an empty list, as for one that does not exist.
 */

/** The most schedules `Wallet.scheduledPayments` lists (its `@listSize`): the newest. */
export const MAX_LISTED_SCHEDULES = 50;

/** Schedules by id, one query per request however many are asked for. */
const scheduleLoader = oncePer((ctx: TransactionsContext) =>
  rowsByIdLoader(ctx.db, scheduledPayments, scheduledPayments.id),
);

/** `scheduledPayment(id)` and `Operation.schedule`: the caller's schedule, else null. */
export async function findOwnSchedule(
  ctx: TransactionsContext,
  id: string | null,
): Promise<ScheduledPaymentRow | null> {
  const scheduleId = parseId<'Schedule'>(id);
  if (!ctx.viewer || !scheduleId) return null;
  const row = await scheduleLoader(ctx).load(scheduleId);
  return row?.ownerId === ctx.viewer.userId ? row : null;
}

/** `Wallet.scheduledPayments`: the owner's schedules on the wallet, newest first. */
export async function walletSchedules(
  ctx: TransactionsContext,
  walletId: string,
): Promise<ScheduledPaymentRow[]> {
  const wallet = parseId<'Wallet'>(walletId);
  if (!ctx.viewer || !wallet) return [];
  return ctx.db
    .select()
    .from(scheduledPayments)
    .where(and(eq(scheduledPayments.walletId, wallet), eq(scheduledPayments.ownerId, ctx.viewer.userId)))
    .orderBy(desc(scheduledPayments.createdAt), desc(scheduledPayments.id))
    .limit(MAX_LISTED_SCHEDULES);
}

/**
 * `ScheduledPayment.runs`: the operations the schedule made, newest first, paged as
 * `Wallet.operations` (domain/pages.ts). The parent is already the viewer's own schedule, and
 * every run is its owner's operation, seen from its source side.
 */
export async function scheduleRuns(
  ctx: TransactionsContext,
  schedule: ScheduledPaymentRow,
  page: PageRequest,
): Promise<Page<OperationView>> {
  const { after } = page;
  const rows = await ctx.db
    .select()
    .from(operations)
    .where(
      and(
        eq(operations.scheduleId, schedule.id),
        eq(operations.ownerId, schedule.ownerId),
        after
          ? or(
              lt(operations.createdAt, after.createdAt),
              and(eq(operations.createdAt, after.createdAt), lt(operations.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(operations.createdAt), desc(operations.id))
    .limit(page.size + 1);
  return pageOf(
    rows.map((row) => ({ row, side: 'SOURCE' as const })),
    page.size,
    cursorOf,
  );
}

function cursorOf(view: OperationView): Cursor {
  return { createdAt: view.row.createdAt, id: view.row.id };
}
