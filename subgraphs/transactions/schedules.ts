import { DomainError } from '@walletgraph/platform/errors';
import { parseId, type WalletId } from '@walletgraph/platform/ids';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, eq } from 'drizzle-orm';
import type { TransactionsContext, TransactionsExecutor } from './context.ts';
import { type ScheduledPaymentRow, scheduledPayments } from './db/schema.ts';
import { authorizeJarMove } from './domain/jars.ts';
import { authorizeSource, replayOf } from './domain/operations.ts';
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
import { findJar, findWallet } from './projections.ts';

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

  const source = await authorizeScheduleSource(ctx, request, viewer.userId);
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

/**
 * The wallet (or jar) a schedule pays from, by the rules every operation's source follows
 * (domain/operations.ts, domain/jars.ts): the caller's own, active, in the amount's currency;
 * another user's is NOT_FOUND exactly as an unknown one. The fields they name are payBill's
 * (`input.walletId`, `input.jarId`), which are the schedule input's too.
 */
async function authorizeScheduleSource(
  ctx: TransactionsContext,
  request: ScheduleRequest,
  viewerId: string,
): Promise<{ walletId: string; jarId: string | null }> {
  const { source } = request;
  const asked = {
    kind: 'BILL_PAYMENT' as const,
    amount: request.amount,
    idempotencyKey: request.idempotencyKey,
  };
  if (source.by === 'jar') {
    const jar = await findJar(ctx.db, source.jarId, viewerId);
    // Postgres reads a uuid out in lower case, as parseId makes it: a stored id needs no parsing.
    const wallet = jar ? await findWallet(ctx.db, jar.walletId as WalletId) : null;
    const parties = authorizeJarMove(
      { ...asked, jarId: source.jarId },
      { jar, toJar: null, wallet },
      viewerId,
    );
    return { walletId: parties.source.walletId, jarId: parties.jarId };
  }
  const wallet = await findWallet(ctx.db, source.walletId, viewerId);
  return { walletId: authorizeSource(asked, wallet, viewerId).walletId, jarId: null };
}

/** The biller must be in the catalog, paid in the amount's currency, and the reference of its pattern. */
async function checkBill(
  ctx: TransactionsContext,
  bill: { billerId: string; reference: string },
  currency: string,
): Promise<void> {
  const catalog = await ctx.services.biller.catalog();
  const biller = catalog.find((entry) => entry.id === bill.billerId);
  if (!biller) {
    throw new DomainError('NOT_FOUND', 'input.bill.billerId: biller not found', {
      field: 'input.bill.billerId',
    });
  }
  if (biller.currency !== currency) {
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `input.amount.currency: ${biller.name} is paid in ${biller.currency}, not ${currency}`,
      { field: 'input.amount.currency' },
    );
  }
  if (!biller.reference.pattern.regex.test(bill.reference)) {
    throw new DomainError(
      'INVALID_REFERENCE',
      `input.bill.reference: not a ${biller.reference.label.toLowerCase()} ${biller.name} knows`,
      { field: 'input.bill.reference' },
    );
  }
}

async function findByKey(db: TransactionsExecutor, ownerId: string, idempotencyKey: string) {
  const [row] = await db
    .select()
    .from(scheduledPayments)
    .where(and(eq(scheduledPayments.ownerId, ownerId), eq(scheduledPayments.idempotencyKey, idempotencyKey)));
  return row ?? null;
}
