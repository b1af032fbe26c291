import { createHash } from 'node:crypto';
import { DomainError } from '@walletgraph/platform/errors';
import type { JarId, WalletId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';
import { addDays } from '@walletgraph/platform/periods';
import type { ScheduledPaymentRow, ScheduleFrequency, ScheduleStatus } from '../db/schema.ts';
import { canonicalJson, type Recipient } from './requests.ts';

/**
 * Scheduled payments (docs/architecture.md §5): when a schedule runs, and how its status moves.
 * Pure: the use cases (schedules.ts) and the scheduler (scheduler.ts) read and write the rows.
 */

/** What a schedule pays: a transfer to a recipient, or a bill at a biller of the catalog. */
export type SchedulePayee =
  | { kind: 'TRANSFER'; to: Recipient }
  | { kind: 'BILL_PAYMENT'; billerId: string; reference: string };

/** A validated `schedulePayment` input, before anything is read. An id is null when it names nothing. */
export interface ScheduleRequest {
  source: { by: 'wallet'; walletId: WalletId | null } | { by: 'jar'; jarId: JarId | null };
  payee: SchedulePayee;
  /** Positive, in the currency's exponent. */
  amount: Money;
  frequency: ScheduleFrequency;
  startsAt: Date;
  endsAt: Date | null;
  /** MONTHLY: 1..31 (startsAt's day when not given); null otherwise. */
  dayOfMonth: number | null;
  /** Trimmed; null when absent or blank. */
  note: string | null;
  idempotencyKey: string;
}

/** What the run dates follow from (a `scheduled_payments` row, or a request about to be one). */
export type Rhythm = Pick<ScheduledPaymentRow, 'frequency' | 'startsAt' | 'endsAt' | 'dayOfMonth'>;

/**
 * How far in the past `startsAt` may be at creation: a client's "now" reaches us a moment late.
 * Run dates before that are never made, so a schedule starting long ago does not pay its past.
 */
export const START_GRACE_MS = 5 * 60_000;

/**
 * The first run date not before `notBefore`, or null when none is left (past `endsAt`, or a ONCE
 * schedule's date gone by). ONCE runs at startsAt; WEEKLY every 7 days from startsAt; MONTHLY on
 * `dayOfMonth` (clamped to the month's last day) at startsAt's time of day, the first one not
 * before startsAt. All in UTC, so every replica computes the same dates. A run at `endsAt` counts.
 */
export function firstRunNotBefore(rhythm: Rhythm, notBefore: Date): Date | null {
  const from = Math.max(notBefore.getTime(), rhythm.startsAt.getTime());
  const date = candidateFrom(rhythm, from);
  if (!date || (rhythm.endsAt && date > rhythm.endsAt)) return null;
  return date;
}

/** The run date after `runDate`, or null when none is left. */
export function runAfter(rhythm: Rhythm, runDate: Date): Date | null {
  return firstRunNotBefore(rhythm, new Date(runDate.getTime() + 1));
}

/** The run dates from `from` (a run date: the schedule's nextRunAt) up to `at`, oldest first. */
export function runDatesDue(rhythm: Rhythm, from: Date, at: Date): Date[] {
  const dates: Date[] = [];
  for (let d: Date | null = from; d && d <= at; d = runAfter(rhythm, d)) dates.push(d);
  return dates;
}

function candidateFrom(rhythm: Rhythm, from: number): Date | null {
  const start = rhythm.startsAt;
  switch (rhythm.frequency) {
    case 'ONCE':
      return from <= start.getTime() ? start : null;
    case 'WEEKLY': {
      const weeks = Math.ceil((from - start.getTime()) / WEEK_MS);
      return addDays(start, 7 * weeks);
    }
    case 'MONTHLY': {
      const at = new Date(from);
      const inMonth = monthlyDate(rhythm, at.getUTCFullYear(), at.getUTCMonth());
      return inMonth.getTime() >= from
        ? inMonth
        : monthlyDate(rhythm, at.getUTCFullYear(), at.getUTCMonth() + 1);
    }
  }
}

const WEEK_MS = 7 * 24 * 3600 * 1000;

/** A MONTHLY schedule's date in a month (Date.UTC rolls month 12 over into the next year). */
function monthlyDate(rhythm: Rhythm, year: number, month: number): Date {
  const s = rhythm.startsAt;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(rhythm.dayOfMonth ?? s.getUTCDate(), lastDay);
  return new Date(
    Date.UTC(year, month, day, s.getUTCHours(), s.getUTCMinutes(), s.getUTCSeconds(), s.getUTCMilliseconds()),
  );
}

/** A run's idempotency key: one operation per schedule and run date, whoever makes it. */
export function runKey(scheduleId: string, runDate: Date): string {
  return `schedule:${scheduleId}:${runDate.toISOString()}`;
}

/**
 * A fingerprint of a `schedulePayment` request, so its key retried is told from the key reused
 * (as `requestHash` for operations): ids as parsed, the amount in minor units, dates in ISO.
 */
export function scheduleRequestHash(request: ScheduleRequest): string {
  const { idempotencyKey: _key, amount, startsAt, endsAt, ...rest } = request;
  const subject = {
    ...rest,
    amount: { minor: amount.minor.toString(), currency: amount.currency },
    startsAt: startsAt.toISOString(),
    endsAt: endsAt?.toISOString() ?? null,
  };
  return createHash('sha256').update(canonicalJson(subject)).digest('hex');
}

/** The part of a schedule its transitions change. */
export type ScheduleState = Pick<ScheduledPaymentRow, 'status' | 'nextRunAt' | 'consecutiveFailures'>;

/** `pauseSchedule`: only an ACTIVE schedule pauses (SCHEDULE_NOT_ACTIVE otherwise). */
export function pause(schedule: ScheduleState): ScheduleState {
  if (schedule.status !== 'ACTIVE') throw refused('SCHEDULE_NOT_ACTIVE', 'is not ACTIVE', schedule.status);
  return { ...schedule, status: 'PAUSED' };
}

/**
 * `resumeSchedule`: only a PAUSED schedule resumes (SCHEDULE_NOT_PAUSED otherwise), from its
 * first run date not before `now` (the runs it missed while paused are not made), its failures
 * forgotten; FINISHED when no run date is left.
 */
export function resume(schedule: ScheduleState & Rhythm, now: Date): ScheduleState {
  if (schedule.status !== 'PAUSED') throw refused('SCHEDULE_NOT_PAUSED', 'is not PAUSED', schedule.status);
  const nextRunAt = firstRunNotBefore(schedule, now);
  return { status: nextRunAt ? 'ACTIVE' : 'FINISHED', nextRunAt, consecutiveFailures: 0 };
}

/** `cancelSchedule`: an ACTIVE or PAUSED schedule ends for good; one already ended is SCHEDULE_ENDED. */
export function cancel(schedule: ScheduleState): ScheduleState {
  if (schedule.status !== 'ACTIVE' && schedule.status !== 'PAUSED') {
    throw refused('SCHEDULE_ENDED', 'has ended already', schedule.status);
  }
  return { ...schedule, status: 'CANCELLED', nextRunAt: null };
}

/**
 * A run settled: COMPLETED forgets the failures; FAILED adds one, and an ACTIVE schedule at
 * `maxFailures` in a row pauses (its owner resumes it once the cause is fixed).
 */
export function afterRun(
  schedule: Pick<ScheduleState, 'status' | 'consecutiveFailures'>,
  outcome: 'COMPLETED' | 'FAILED',
  maxFailures: number,
): Pick<ScheduleState, 'status' | 'consecutiveFailures'> {
  if (outcome === 'COMPLETED') return { status: schedule.status, consecutiveFailures: 0 };
  const consecutiveFailures = schedule.consecutiveFailures + 1;
  const status: ScheduleStatus =
    schedule.status === 'ACTIVE' && consecutiveFailures >= maxFailures ? 'PAUSED' : schedule.status;
  return { status, consecutiveFailures };
}

function refused(
  code: 'SCHEDULE_NOT_ACTIVE' | 'SCHEDULE_NOT_PAUSED' | 'SCHEDULE_ENDED',
  what: string,
  status: string,
) {
  return new DomainError(code, `id: the schedule ${what} (it is ${status})`, { field: 'id', status });
}
