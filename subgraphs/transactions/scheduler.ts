import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import { DomainError } from '@walletgraph/platform/errors';
import type { JarId, WalletId } from '@walletgraph/platform/ids';
import type { Logger } from '@walletgraph/platform/logger';
import type { Currency } from '@walletgraph/platform/money';
import { and, asc, eq, gt, inArray, lte } from 'drizzle-orm';
import { requestBillPayment } from './bills/bill-requests.ts';
import type {
  RunMade,
  ScheduleRound,
  Scheduler,
  TransactionsContext,
  TransactionsSchema,
  TransactionsServices,
} from './context.ts';
import { operations, type ScheduledPaymentRow, scheduledPayments } from './db/schema.ts';
import type { BillRequest, WalletRequest } from './domain/requests.ts';
import { afterRun, runAfter, runDatesDue, runKey } from './domain/schedules.ts';
import { requestOperation } from './operation-requests.ts';
import { recordScheduleRuns } from './schedule-runs.ts';

export interface SchedulerOptions {
  db: DatabaseHandle<TransactionsSchema>;
  /** The services a run is made with, as a mutation is (read when a round runs: they hold this scheduler). */
  services: () => TransactionsServices;
  logger: Logger;
  intervalMs: number;
  /** Failed runs in a row that pause a schedule (SCHEDULE_MAX_FAILURES). */
  maxFailures: number;
  /** Schedules read per page of a round; default 200. */
  pageSize?: number;
}

const LOCK_NAME = 'transactions:scheduler';

/**
 * Scheduled payments' runs (docs/architecture.md §5), one replica at a time (an advisory lock per
 * round, as jars' period processor). Each ACTIVE schedule whose next run is due gets every run
 * dated up to `at` that was not made yet, each an ordinary operation made as its owner through
 * the same write path as a mutation, with the key `schedule:<id>:<run date>`: whatever replica,
 * rerun or restart makes it, the key makes it once. Then its next run moves past `at` (FINISHED
 * when none is left). A run refused outright counts as failed; a schedule that fails otherwise
 * (the database away) is left as it was for the next round, and the round goes on.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const log = options.logger.child({ component: 'scheduler' });
  const pageSize = options.pageSize ?? 200;
  const { db } = options.db;
  let timer: NodeJS.Timeout | null = null;
  /** The round in flight in this process, if any: rounds here run one after the other. */
  let last: Promise<unknown> = Promise.resolve();

  async function round(at: Date): Promise<ScheduleRound> {
    const lease = await options.db.tryLock(LOCK_NAME);
    if (!lease) return { leader: false, runs: [] };
    try {
      const runs: RunMade[] = [];
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const page = await db
          .select()
          .from(scheduledPayments)
          .where(
            and(
              eq(scheduledPayments.status, 'ACTIVE'),
              lte(scheduledPayments.nextRunAt, at),
              gt(scheduledPayments.id, after),
            ),
          )
          .orderBy(asc(scheduledPayments.id))
          .limit(pageSize);
        for (const schedule of page) {
          try {
            runs.push(...(await runSchedule(schedule, at)));
          } catch (err) {
            log.warn({ err, scheduleId: schedule.id }, 'schedule round failed; the next round retries it');
          }
        }
        if (page.length < pageSize) break;
        after = page.at(-1)!.id;
      }
      if (runs.length > 0) log.info({ runs: runs.length, at }, 'scheduled runs made');
      return { leader: true, runs };
    } finally {
      await lease.release();
    }
  }

  /** Makes the schedule's due runs not made yet, then moves its next run past `at`. */
  async function runSchedule(schedule: ScheduledPaymentRow, at: Date): Promise<RunMade[]> {
    const dates = runDatesDue(schedule, schedule.nextRunAt!, at);
    const keys = dates.map((date) => runKey(schedule.id, date));
    const made = new Set(
      keys.length === 0
        ? []
        : (
            await db
              .select({ key: operations.idempotencyKey })
              .from(operations)
              .where(and(eq(operations.ownerId, schedule.ownerId), inArray(operations.idempotencyKey, keys)))
          ).map((row) => row.key),
    );
    const runs: RunMade[] = [];
    // Runs failing at once count as they come: a catch-up that reaches SCHEDULE_MAX_FAILURES
    // stops there, as the schedule pauses, and the dates left are missed as while paused.
    let state: Pick<ScheduledPaymentRow, 'status' | 'consecutiveFailures'> = schedule;
    for (const date of dates) {
      if (state.status !== 'ACTIVE') break;
      if (made.has(runKey(schedule.id, date))) continue;
      const run = await makeRun(schedule, date);
      runs.push(run);
      if (run.status === 'FAILED') state = afterRun(state, 'FAILED', options.maxFailures);
    }
    const nextRunAt = dates.length > 0 ? runAfter(schedule, dates.at(-1)!) : schedule.nextRunAt;
    await db.transaction(async (tx) => {
      const [current] = await tx
        .select()
        .from(scheduledPayments)
        .where(eq(scheduledPayments.id, schedule.id))
        .for('update');
      // Moved on by an owner's resume or cancel since it was read: theirs is the newer word.
      if (current?.nextRunAt?.getTime() === schedule.nextRunAt!.getTime()) {
        const ended = nextRunAt === null && (current.status === 'ACTIVE' || current.status === 'PAUSED');
        await tx
          .update(scheduledPayments)
          .set({ nextRunAt, ...(ended ? { status: 'FINISHED' as const } : {}) })
          .where(eq(scheduledPayments.id, schedule.id));
      }
      // Runs refused or FAILED at creation never reach the settlement consumer: counted here.
      await recordScheduleRuns(
        tx,
        runs
          .filter((run) => run.status === 'FAILED')
          .map(() => ({ scheduleId: schedule.id, status: 'FAILED' })),
        options.maxFailures,
      );
    });
    return runs;
  }

  /** One run, as its owner would make it by hand; a refusal (a DomainError) is a FAILED run. */
  async function makeRun(schedule: ScheduledPaymentRow, runDate: Date): Promise<RunMade> {
    const idempotencyKey = runKey(schedule.id, runDate);
    const run = { scheduleId: schedule.id, runDate, idempotencyKey };
    const ctx = ownerContext(schedule, idempotencyKey);
    try {
      const view = await (schedule.kind === 'TRANSFER'
        ? requestOperation(ctx, transferOf(schedule, idempotencyKey), 0)
        : requestBillPayment(ctx, billOf(schedule, idempotencyKey), 0));
      const { id, status, failureCode } = view.row;
      return { ...run, operationId: id, status, failureCode };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      ctx.logger.info({ code: error.code, message: error.message }, 'scheduled run refused');
      return { ...run, operationId: null, status: 'FAILED', failureCode: error.code };
    }
  }

  /**
   * The context a run is made in: the schedule's owner as the viewer, as if they had asked, so
   * the write path applies its own rules (ownership, an archived wallet, the key) unchanged. No
   * token: a run causes no request to another service.
   */
  function ownerContext(schedule: ScheduledPaymentRow, key: string): TransactionsContext {
    const issuedAt = new Date();
    return {
      db,
      viewer: { userId: schedule.ownerId, token: '', issuedAt, expiresAt: issuedAt },
      logger: log.child({ scheduleId: schedule.id, idempotencyKey: key }),
      correlationId: key,
      services: options.services(),
    };
  }

  function runOnce(at?: Date): Promise<ScheduleRound> {
    // One round at a time in this process: a round asked for while one runs waits for it (and
    // then finds what it made), as a round elsewhere waits for the lock's next turn.
    const next = last.then(() => round(at ?? options.services().clock.now()));
    last = next.catch(() => {});
    return next;
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => log.warn({ err }, 'schedule round failed; next round retries'));
      }, options.intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await last;
    },
  };
}

/** A transfer run's request: the schedule's wallet, amount, note and recipient, under the run's key. */
function transferOf(schedule: ScheduledPaymentRow, idempotencyKey: string): WalletRequest {
  return {
    kind: 'TRANSFER',
    walletId: schedule.walletId as WalletId,
    amount: { minor: schedule.amountMinor, currency: schedule.currency as Currency },
    note: schedule.note,
    idempotencyKey,
    scheduleId: schedule.id,
    to: schedule.toEmail
      ? { by: 'email', email: schedule.toEmail }
      : { by: 'walletId', walletId: schedule.toWalletId as WalletId | null },
  };
}

/** A bill run's request: the schedule's wallet or jar, biller, reference, amount and note, under the run's key. */
function billOf(schedule: ScheduledPaymentRow, idempotencyKey: string): BillRequest {
  return {
    kind: 'BILL_PAYMENT',
    source: schedule.jarId
      ? { by: 'jar', jarId: schedule.jarId as JarId }
      : { by: 'wallet', walletId: schedule.walletId as WalletId },
    billerId: schedule.billerId!,
    reference: schedule.billReference!,
    note: schedule.note,
    amount: { minor: schedule.amountMinor, currency: schedule.currency as Currency },
    idempotencyKey,
    scheduleId: schedule.id,
  };
}
