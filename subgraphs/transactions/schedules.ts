import { DomainError } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, eq } from 'drizzle-orm';
import { authorizePaymentSource } from './bills/bill-requests.ts';
import { findPayableBiller } from './bills/bills.ts';
import type { TransactionsContext, TransactionsExecutor } from './context.ts';
import { type ScheduledPaymentRow, scheduledPayments } from './db/schema.ts';
import { checkPayable } from './domain/bill-payments.ts';
import { replayOf } from './domain/operations.ts';
import {
  cancel,
  firstRunNotBefore,
  pause,
  resume,
  type ScheduleRequest,
  type ScheduleState,
  START_GRACE_MS,
  scheduleRequestHash,
} from './domain/schedules.ts';

/**
 * The write side of scheduled payments (docs/architecture.md §5): `schedulePayment` and the
 * owner's transitions. The reads are schedule-reads.ts; the runs, scheduler.ts.
 */

/**
 * `schedulePayment`: the caller's own active wallet (or jar) in the amount's currency, a bill's
 * biller in the catalog with a reference of its pattern. The idempotency key is unique per
 * owner: the same request returns the schedule the key made, another is IDEMPOTENCY_KEY_REUSED.
 * Looked up first (schedules are made rarely, unlike operations), so a key replayed answers what
 * it made even if the request would be refused now; two requests racing with one key meet at
 * the unique index, and the second returns the first's schedule.
 */
export async function schedulePayment(
  ctx: TransactionsContext,
  request: ScheduleRequest,
): Promise<ScheduledPaymentRow> {
  const viewer = requireViewer(ctx);
  const hash = scheduleRequestHash(request);
  const existing = await findByKey(ctx.db, viewer.userId, request.idempotencyKey);
  if (existing) return replayOf(existing, hash);

  const parties = await authorizePaymentSource(ctx, request, viewer.userId);
  const source = { walletId: parties.source.walletId, jarId: parties.jarId };
  if (request.payee.kind === 'BILL_PAYMENT') await checkBill(ctx, request.payee, request.amount.currency);
  const now = ctx.services.clock.now();
  // A start a moment ago is the client's "now"; runs dated before that are never made.
  const nextRunAt = firstRunNotBefore(request, new Date(now.getTime() - START_GRACE_MS));
  if (!nextRunAt) {
    const field = request.frequency === 'ONCE' || !request.endsAt ? 'input.startsAt' : 'input.endsAt';
    throw new DomainError('BAD_USER_INPUT', `${field}: no run date is left after now`, { field });
  }
  const { payee } = request;
  const [row] = await ctx.db
    .insert(scheduledPayments)
    .values({
      id: ctx.services.newId(),
      ownerId: viewer.userId,
      walletId: source.walletId,
      jarId: source.jarId,
      kind: payee.kind,
      amountMinor: request.amount.minor,
      currency: request.amount.currency,
      frequency: request.frequency,
      startsAt: request.startsAt,
      endsAt: request.endsAt,
      dayOfMonth: request.dayOfMonth,
      nextRunAt,
      toWalletId: payee.kind === 'TRANSFER' && payee.to.by === 'walletId' ? payee.to.walletId : null,
      toEmail: payee.kind === 'TRANSFER' && payee.to.by === 'email' ? payee.to.email : null,
      billerId: payee.kind === 'BILL_PAYMENT' ? payee.billerId : null,
      billReference: payee.kind === 'BILL_PAYMENT' ? payee.reference : null,
      note: request.note,
      idempotencyKey: request.idempotencyKey,
      requestHash: hash,
      createdAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (row) return row;
  const winner = await findByKey(ctx.db, viewer.userId, request.idempotencyKey);
  if (!winner) throw new Error(`schedule key conflict without a schedule for user ${viewer.userId}`);
  return replayOf(winner, hash);
}

/** `pauseSchedule`, `resumeSchedule`, `cancelSchedule`: the owner's transitions (domain/schedules.ts). */
export const pauseSchedule = (ctx: TransactionsContext, id: string) => transition(ctx, id, pause);
export const resumeSchedule = (ctx: TransactionsContext, id: string) =>
  transition(ctx, id, (s) => resume(s, ctx.services.clock.now()));
export const cancelSchedule = (ctx: TransactionsContext, id: string) => transition(ctx, id, cancel);

/**
 * Applies a transition to one of the caller's schedules under its row lock, so it never crosses
 * the scheduler advancing it or a settlement counting a failure. Another user's schedule is
 * NOT_FOUND, exactly as an unknown one.
 */
async function transition(
  ctx: TransactionsContext,
  id: string,
  apply: (schedule: ScheduledPaymentRow) => ScheduleState,
): Promise<ScheduledPaymentRow> {
  const viewer = requireViewer(ctx);
  const scheduleId = parseId<'Schedule'>(id);
  return ctx.db.transaction(async (tx) => {
    const [current] = scheduleId
      ? await tx
          .select()
          .from(scheduledPayments)
          .where(and(eq(scheduledPayments.id, scheduleId), eq(scheduledPayments.ownerId, viewer.userId)))
          .for('update')
      : [];
    if (!current) throw new DomainError('NOT_FOUND', 'id: schedule not found', { field: 'id' });
    const next = apply(current);
    const [row] = await tx
      .update(scheduledPayments)
      .set(next)
      .where(eq(scheduledPayments.id, current.id))
      .returning();
    return row!;
  });
}

/** The biller must be in the catalog, paid in the amount's currency, and the reference of its pattern. */
async function checkBill(
  ctx: TransactionsContext,
  bill: { billerId: string; reference: string },
  currency: string,
): Promise<void> {
  const biller = await findPayableBiller(ctx, bill.billerId, 'input.bill.billerId');
  checkPayable(biller, { reference: bill.reference, currency }, 'input.bill.reference');
}

async function findByKey(db: TransactionsExecutor, ownerId: string, idempotencyKey: string) {
  const [row] = await db
    .select()
    .from(scheduledPayments)
    .where(and(eq(scheduledPayments.ownerId, ownerId), eq(scheduledPayments.idempotencyKey, idempotencyKey)));
  return row ?? null;
}
