import { describe, expect, it } from 'vitest';
import type { ScheduleFrequency, ScheduleStatus } from '../db/schema.ts';
import {
  afterRun,
  cancel,
  firstRunNotBefore,
  pause,
  type Rhythm,
  resume,
  runAfter,
  runDatesDue,
  runKey,
} from './schedules.ts';

const d = (iso: string) => new Date(iso);
const rhythm = (
  frequency: ScheduleFrequency,
  startsAt: string,
  more: { endsAt?: string; dayOfMonth?: number } = {},
): Rhythm => ({
  frequency,
  startsAt: d(startsAt),
  endsAt: more.endsAt ? d(more.endsAt) : null,
  dayOfMonth: more.dayOfMonth ?? null,
});
const iso = (date: Date | null) => date?.toISOString() ?? null;

describe('firstRunNotBefore', () => {
  it.each([
    [
      'ONCE, before it',
      rhythm('ONCE', '2026-03-10T09:00:00Z'),
      '2026-03-01T00:00:00Z',
      '2026-03-10T09:00:00.000Z',
    ],
    [
      'ONCE, at it',
      rhythm('ONCE', '2026-03-10T09:00:00Z'),
      '2026-03-10T09:00:00Z',
      '2026-03-10T09:00:00.000Z',
    ],
    ['ONCE, past it', rhythm('ONCE', '2026-03-10T09:00:00Z'), '2026-03-10T09:00:00.001Z', null],
    [
      'WEEKLY, before the start',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z'),
      '2026-01-01T00:00:00Z',
      '2026-03-10T09:00:00.000Z',
    ],
    [
      'WEEKLY, mid-week',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z'),
      '2026-03-12T00:00:00Z',
      '2026-03-17T09:00:00.000Z',
    ],
    [
      'WEEKLY, at a run',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z'),
      '2026-03-24T09:00:00Z',
      '2026-03-24T09:00:00.000Z',
    ],
    [
      'WEEKLY, past its end',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z', { endsAt: '2026-03-16T00:00:00Z' }),
      '2026-03-11T00:00:00Z',
      null,
    ],
    [
      'WEEKLY, a run at its end',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z', { endsAt: '2026-03-17T09:00:00Z' }),
      '2026-03-11T00:00:00Z',
      '2026-03-17T09:00:00.000Z',
    ],
    [
      'MONTHLY, the day after the start',
      rhythm('MONTHLY', '2026-03-10T09:00:00Z', { dayOfMonth: 15 }),
      '2026-03-01T00:00:00Z',
      '2026-03-15T09:00:00.000Z',
    ],
    [
      'MONTHLY, the day before the start: next month',
      rhythm('MONTHLY', '2026-03-10T09:00:00Z', { dayOfMonth: 5 }),
      '2026-03-01T00:00:00Z',
      '2026-04-05T09:00:00.000Z',
    ],
    [
      'MONTHLY, on the start day',
      rhythm('MONTHLY', '2026-03-10T09:00:00Z', { dayOfMonth: 10 }),
      '2026-03-10T09:00:00Z',
      '2026-03-10T09:00:00.000Z',
    ],
    [
      'MONTHLY 31, clamped in April',
      rhythm('MONTHLY', '2026-03-31T09:00:00Z', { dayOfMonth: 31 }),
      '2026-04-01T00:00:00Z',
      '2026-04-30T09:00:00.000Z',
    ],
    [
      'MONTHLY 31, clamped in February',
      rhythm('MONTHLY', '2026-01-31T09:00:00Z', { dayOfMonth: 31 }),
      '2026-02-01T00:00:00Z',
      '2026-02-28T09:00:00.000Z',
    ],
    [
      'MONTHLY 30, leap February',
      rhythm('MONTHLY', '2028-01-30T09:00:00Z', { dayOfMonth: 30 }),
      '2028-02-01T00:00:00Z',
      '2028-02-29T09:00:00.000Z',
    ],
    [
      'MONTHLY, over the year end',
      rhythm('MONTHLY', '2026-12-20T09:00:00Z', { dayOfMonth: 10 }),
      '2026-12-20T09:00:00Z',
      '2027-01-10T09:00:00.000Z',
    ],
    [
      'MONTHLY, later the same day',
      rhythm('MONTHLY', '2026-03-10T09:00:00Z', { dayOfMonth: 12 }),
      '2026-04-12T09:00:00.001Z',
      '2026-05-12T09:00:00.000Z',
    ],
    [
      'MONTHLY, past its end',
      rhythm('MONTHLY', '2026-03-10T09:00:00Z', { dayOfMonth: 12, endsAt: '2026-04-01T00:00:00Z' }),
      '2026-03-13T00:00:00Z',
      null,
    ],
  ])('%s', (_name, r, notBefore, expected) => {
    expect(iso(firstRunNotBefore(r, d(notBefore)))).toBe(expected);
  });
});

describe('the run dates of a schedule', () => {
  it.each([
    ['ONCE', rhythm('ONCE', '2026-03-10T09:00:00Z'), ['2026-03-10T09:00:00.000Z']],
    [
      'WEEKLY until an end',
      rhythm('WEEKLY', '2026-03-10T09:00:00Z', { endsAt: '2026-04-01T00:00:00Z' }),
      [
        '2026-03-10T09:00:00.000Z',
        '2026-03-17T09:00:00.000Z',
        '2026-03-24T09:00:00.000Z',
        '2026-03-31T09:00:00.000Z',
      ],
    ],
    [
      'MONTHLY on the 31st',
      rhythm('MONTHLY', '2026-01-31T08:30:00Z', { dayOfMonth: 31, endsAt: '2026-06-01T00:00:00Z' }),
      [
        '2026-01-31T08:30:00.000Z',
        '2026-02-28T08:30:00.000Z',
        '2026-03-31T08:30:00.000Z',
        '2026-04-30T08:30:00.000Z',
        '2026-05-31T08:30:00.000Z',
      ],
    ],
  ])('%s', (_name, r, expected) => {
    const first = firstRunNotBefore(r, r.startsAt)!;
    expect(runDatesDue(r, first, d('2030-01-01T00:00:00Z')).map(iso)).toEqual(expected);
    expect(runAfter(r, d(expected.at(-1)!))).toBeNull();
  });

  it('stops at `at`: a run dated exactly then is due, the next is not', () => {
    const r = rhythm('WEEKLY', '2026-03-10T09:00:00Z');
    expect(runDatesDue(r, r.startsAt, d('2026-03-17T09:00:00Z')).map(iso)).toEqual([
      '2026-03-10T09:00:00.000Z',
      '2026-03-17T09:00:00.000Z',
    ]);
    expect(runDatesDue(r, r.startsAt, d('2026-03-10T08:59:59Z'))).toEqual([]);
  });
});

describe('runKey', () => {
  it('is the schedule and the run date', () => {
    expect(runKey('0196f0a0-0000-7000-8000-000000000009', d('2026-03-10T09:00:00Z'))).toBe(
      'schedule:0196f0a0-0000-7000-8000-000000000009:2026-03-10T09:00:00.000Z',
    );
  });
});

describe('transitions', () => {
  const at = d('2026-03-10T09:00:00Z');
  const state = (status: ScheduleStatus) => ({
    ...rhythm('WEEKLY', '2026-03-03T09:00:00Z'),
    status,
    nextRunAt: at,
    consecutiveFailures: 2,
  });

  it.each([
    ['pause', 'ACTIVE', 'PAUSED'],
    ['cancel', 'ACTIVE', 'CANCELLED'],
    ['cancel', 'PAUSED', 'CANCELLED'],
  ] as const)('%s of %s: %s', (name, from, to) => {
    const apply = name === 'pause' ? pause : cancel;
    expect(apply(state(from)).status).toBe(to);
  });

  it.each([
    ['pause', 'PAUSED', 'SCHEDULE_NOT_ACTIVE'],
    ['pause', 'CANCELLED', 'SCHEDULE_NOT_ACTIVE'],
    ['pause', 'FINISHED', 'SCHEDULE_NOT_ACTIVE'],
    ['resume', 'ACTIVE', 'SCHEDULE_NOT_PAUSED'],
    ['resume', 'CANCELLED', 'SCHEDULE_NOT_PAUSED'],
    ['resume', 'FINISHED', 'SCHEDULE_NOT_PAUSED'],
    ['cancel', 'CANCELLED', 'SCHEDULE_ENDED'],
    ['cancel', 'FINISHED', 'SCHEDULE_ENDED'],
  ] as const)('%s of %s: %s', (name, from, code) => {
    const apply = { pause, cancel, resume: (s: ReturnType<typeof state>) => resume(s, at) }[name];
    expect(() => apply(state(from))).toThrow(
      expect.objectContaining({ code, details: { field: 'id', status: from } }),
    );
  });

  it('cancel forgets the next run', () => {
    expect(cancel(state('ACTIVE')).nextRunAt).toBeNull();
  });

  it.each([
    ['now, mid-week: the next weekly date', '2026-03-12T00:00:00Z', 'ACTIVE', '2026-03-17T09:00:00.000Z'],
    ['now, on a run date', '2026-03-17T09:00:00Z', 'ACTIVE', '2026-03-17T09:00:00.000Z'],
  ])('resume at %s', (_name, now, status, next) => {
    expect(resume(state('PAUSED'), d(now))).toEqual({ status, nextRunAt: d(next), consecutiveFailures: 0 });
  });

  it('resume past the end: FINISHED', () => {
    const ended = { ...state('PAUSED'), endsAt: d('2026-03-20T00:00:00Z') };
    expect(resume(ended, d('2026-03-21T00:00:00Z'))).toEqual({
      status: 'FINISHED',
      nextRunAt: null,
      consecutiveFailures: 0,
    });
  });
});

describe('afterRun', () => {
  it.each([
    ['ACTIVE', 2, 'COMPLETED', 'ACTIVE', 0],
    ['ACTIVE', 0, 'FAILED', 'ACTIVE', 1],
    ['ACTIVE', 1, 'FAILED', 'ACTIVE', 2],
    ['ACTIVE', 2, 'FAILED', 'PAUSED', 3],
    ['PAUSED', 3, 'FAILED', 'PAUSED', 4],
    ['CANCELLED', 0, 'FAILED', 'CANCELLED', 1],
    ['FINISHED', 2, 'COMPLETED', 'FINISHED', 0],
  ] as const)('%s with %i failures, a run %s: %s with %i', (status, failures, outcome, next, count) => {
    expect(afterRun({ status, consecutiveFailures: failures }, outcome, 3)).toEqual({
      status: next,
      consecutiveFailures: count,
    });
  });
});
