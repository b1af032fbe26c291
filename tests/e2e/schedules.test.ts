import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  CancelScheduleDocument,
  PauseScheduleDocument,
  ResumeScheduleDocument,
  ScheduledPaymentDocument,
  SchedulePaymentDocument,
  type SchedulePaymentInput,
  WalletScheduledPaymentsDocument,
} from '@walletgraph/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { billerPayments, billSettled, meters } from '../support/biller.ts';
import { expectBooksAgree, expectLedgerInvariants } from '../support/books.ts';
import { balanceOf, deposit, eur, newKey, type Person, person, settled } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Scheduled payments through the gateway, in real mode. The service's own rounds run on the real
 * clock, and every schedule here starts in 2027 or later, so they never make a run: each round is
 * run by hand as an operator does (`pnpm schedules:run --at <ISO> --future`), with the stack's
 * own settings, and the runs it makes are settled by the running services (the ledger, the
 * biller's payment worker). Each test keeps to its own dates and cancels its schedules at its
 * end, so a round of one never reaches another's: the failing schedule runs in January 2027, the
 * rent and the bill from February on, and the transitions' schedule starts in 2029.
 */

const stack = useRealStack();

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/** One round of scheduled payments as of `at`, as the CLI prints it. */
async function runSchedules(at: string): Promise<string> {
  const { stdout } = await exec(
    process.execPath,
    ['subgraphs/transactions/run-schedules.ts', '--at', at, '--future'],
    { cwd: root, env: { ...process.env, ...stack.env } },
  );
  return stdout.trim();
}

/** The run keys a round printed, in the order it made them. */
function keysMade(stdout: string): string[] {
  return [...stdout.matchAll(/^\s+(schedule:\S+)\s+operation/gm)].map((m) => m[1]!);
}

/** The count a round printed in its first line (`… as of <at>: <n>`). */
function countMade(stdout: string, at: string): number {
  const match = new RegExp(`^scheduled runs made as of ${at.replaceAll('.', '\\.')}: (\\d+)$`, 'm').exec(
    stdout,
  );
  if (!match) throw new Error(`not a round's report: ${stdout}`);
  return Number(match[1]);
}

async function schedule(p: Person, input: Omit<SchedulePaymentInput, 'idempotencyKey' | 'walletId'>) {
  const res = await p.client.request(SchedulePaymentDocument, {
    input: { walletId: p.walletId, idempotencyKey: newKey('schedule'), ...input },
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.schedulePayment;
}

/** The schedule as its owner reads it through the gateway, with its runs (newest first). */
async function read(p: Person, id: string) {
  const res = await p.client.request(ScheduledPaymentDocument, { id, first: 100 });
  expect(res.errors).toBeUndefined();
  const found = res.data!.scheduledPayment!;
  return { ...found, runs: found.runs.edges.map((e) => e.node) };
}

/** The owner's transitions, each answering its errors and the schedule it left. */
const transitions = {
  pause: async (p: Person, id: string) => {
    const res = await p.client.request(PauseScheduleDocument, { id });
    return { errors: res.errors, schedule: res.data?.pauseSchedule };
  },
  resume: async (p: Person, id: string) => {
    const res = await p.client.request(ResumeScheduleDocument, { id });
    return { errors: res.errors, schedule: res.data?.resumeSchedule };
  },
  cancel: async (p: Person, id: string) => {
    const res = await p.client.request(CancelScheduleDocument, { id });
    return { errors: res.errors, schedule: res.data?.cancelSchedule };
  },
};

const at = (day: string) => `2027-${day}T09:00:00.000Z`;
const key = (scheduleId: string, day: string) => `schedule:${scheduleId}:${at(day)}`;

let alice: Person;
let bob: Person;
let carl: Person;
let eve: Person;

beforeAll(async () => {
  const people = await Promise.all(['alice', 'bob', 'carl', 'eve'].map((name) => person(stack, name)));
  [alice, bob, carl, eve] = people as [Person, Person, Person, Person];
});

describe('scheduled payments through the supergraph, real mode', () => {
  it('runs a failing schedule until SCHEDULE_MAX_FAILURES pauses it, and again once resumed', async () => {
    expect((await settled(carl.client, await deposit(carl, 1_000n))).status).toBe('COMPLETED');
    const weekly = await schedule(carl, {
      transfer: { toWalletId: bob.walletId },
      amount: eur(5_000n),
      frequency: 'WEEKLY',
      startsAt: at('01-04'),
    });

    // Each run is refused by the ledger (50.00 of 10.00), counted when it settles; the third pauses.
    for (const [i, day, next, status] of [
      [1, '01-04', '01-11', 'ACTIVE'],
      [2, '01-11', '01-18', 'ACTIVE'],
      [3, '01-18', '01-25', 'PAUSED'],
    ] as const) {
      expect(keysMade(await runSchedules(at(day)))).toEqual([key(weekly.id, day)]);
      const [run] = (await read(carl, weekly.id)).runs;
      expect(await settled(carl.client, run!)).toMatchObject({
        idempotencyKey: key(weekly.id, day),
        kind: 'TRANSFER',
        status: 'FAILED',
        failureCode: 'INSUFFICIENT_FUNDS',
      });
      expect(await read(carl, weekly.id)).toMatchObject({
        status,
        consecutiveFailures: i,
        nextRunAt: at(next),
      });
    }

    // Paused: its next date comes and goes without a run.
    expect(countMade(await runSchedules(at('01-25')), at('01-25'))).toBe(0);
    expect((await read(carl, weekly.id)).runs).toHaveLength(3);

    // Funded and resumed: from its first date again, whose runs are made already; the next is new.
    expect((await settled(carl.client, await deposit(carl, 5_000n))).status).toBe('COMPLETED');
    expect((await transitions.resume(carl, weekly.id)).schedule).toMatchObject({
      status: 'ACTIVE',
      consecutiveFailures: 0,
      nextRunAt: at('01-04'),
    });
    expect(keysMade(await runSchedules(at('01-25')))).toEqual([key(weekly.id, '01-25')]);
    const after = await read(carl, weekly.id);
    expect(after.runs.map((r) => r.idempotencyKey)).toEqual(
      ['01-25', '01-18', '01-11', '01-04'].map((day) => key(weekly.id, day)),
    );
    expect((await settled(carl.client, after.runs[0]!)).status).toBe('COMPLETED');
    expect(await read(carl, weekly.id)).toMatchObject({
      status: 'ACTIVE',
      consecutiveFailures: 0,
      nextRunAt: at('02-01'),
    });
    expect(await balanceOf(carl)).toEqual({ total: 1_000n, available: 1_000n });
    expect(await balanceOf(bob)).toEqual({ total: 5_000n, available: 5_000n });

    expect((await transitions.cancel(carl, weekly.id)).schedule).toMatchObject({
      status: 'CANCELLED',
      nextRunAt: null,
    });
  });

  it('pays a monthly transfer and a weekly bill on their dates, each once, over five weeks', async () => {
    expect((await settled(alice.client, await deposit(alice, 50_000n))).status).toBe('COMPLETED');
    const bobBefore = (await balanceOf(bob)).total;
    const rent = await schedule(alice, {
      transfer: { toWalletId: bob.walletId },
      amount: eur(12_345n),
      frequency: 'MONTHLY',
      startsAt: at('02-01'),
      dayOfMonth: 31,
      note: 'rent',
    });
    // The 31st, in February: its last day.
    expect(rent).toMatchObject({ status: 'ACTIVE', dayOfMonth: 31, nextRunAt: at('02-28') });
    const power = await schedule(alice, {
      bill: { billerId: 'nordlicht-energie', reference: meters.paid },
      amount: eur(3_500n),
      frequency: 'WEEKLY',
      startsAt: at('02-01'),
    });
    expect(power).toMatchObject({
      status: 'ACTIVE',
      kind: 'BILL_PAYMENT',
      biller: { id: 'nordlicht-energie' },
      billReference: meters.paid,
      nextRunAt: at('02-01'),
    });
    const listed = await alice.client.request(WalletScheduledPaymentsDocument, { walletId: alice.walletId });
    expect(listed.data?.wallet?.scheduledPayments.map((s) => s.id)).toEqual([power.id, rent.id]);
    const chargesBefore = (await billerPayments(stack)).charges;

    // Not every day of the five weeks: the run dates, the days just before them, a skipped week
    // (the round catches up), and the days where the clamped 31st could go wrong. A day between
    // two run dates proves no more than the one before a run date does.
    // `next`: each schedule's nextRunAt after the round, the rent's and the bill's.
    const rounds = [
      { day: '01-31', why: 'before both start', made: [], next: ['02-28', '02-01'] },
      {
        day: '02-01',
        why: 'the first weekly date, to the moment',
        made: ['02-01'],
        next: ['02-28', '02-08'],
      },
      { day: '02-07', why: 'the day before the second', made: [], next: ['02-28', '02-08'] },
      { day: '02-08', why: 'the second weekly date', made: ['02-08'], next: ['02-28', '02-15'] },
      {
        day: '02-23',
        why: 'a week skipped: both dates it missed, oldest first',
        made: ['02-15', '02-22'],
        next: ['02-28', '03-01'],
      },
      { day: '02-27', why: 'the day before February ends', made: [], next: ['02-28', '03-01'] },
      {
        day: '02-28',
        why: 'the 31st clamped to February 28',
        rent: true,
        made: ['02-28'],
        next: ['03-31', '03-01'],
      },
      { day: '03-01', why: 'a weekly date', made: ['03-01'], next: ['03-31', '03-08'] },
      { day: '03-03', why: 'where an unclamped February 31 would fall', made: [], next: ['03-31', '03-08'] },
    ];
    for (const round of rounds) {
      const stdout = await runSchedules(at(round.day));
      const made = round.made.map((day) => key(round.rent ? rent.id : power.id, day));
      expect(keysMade(stdout), `${round.day}: ${round.why}`).toEqual(made);
      expect(countMade(stdout, at(round.day))).toBe(made.length);
      const [rentNext, powerNext] = round.next;
      expect((await read(alice, rent.id)).nextRunAt, round.day).toBe(at(rentNext!));
      expect((await read(alice, power.id)).nextRunAt, round.day).toBe(at(powerNext!));
    }

    // Two processes at once on the next weekly date: one run between them.
    const both = await Promise.all([runSchedules(at('03-08')), runSchedules(at('03-08'))]);
    expect(both.flatMap(keysMade)).toEqual([key(power.id, '03-08')]);
    for (const stdout of both) {
      expect(stdout).toMatch(/^(scheduled runs made as of \S+: [01]|another replica is running .*)$/m);
    }
    // Again, after them: nothing new.
    expect(await runSchedules(at('03-08'))).toBe(`scheduled runs made as of ${at('03-08')}: 0`);

    const billDays = ['03-08', '03-01', '02-22', '02-15', '02-08', '02-01'];
    const bills = (await read(alice, power.id)).runs;
    expect(bills.map((r) => r.idempotencyKey)).toEqual(billDays.map((day) => key(power.id, day)));
    for (const run of bills) {
      expect(await billSettled(alice.client, run)).toMatchObject({
        status: 'COMPLETED',
        amount: { minorUnits: '3500', currency: 'EUR' },
        hold: { status: 'CAPTURED' },
        // 35.00 at 0.35 per kWh.
        receipt: { token: expect.stringMatching(/^\d{20}$/), units: '100.0' },
      });
    }
    const rents = (await read(alice, rent.id)).runs;
    expect(rents.map((r) => r.idempotencyKey)).toEqual([key(rent.id, '02-28')]);
    expect(await settled(alice.client, rents[0]!)).toMatchObject({
      status: 'COMPLETED',
      kind: 'TRANSFER',
      note: 'rent',
      counterpartyWallet: { id: bob.walletId },
    });

    for (const id of [rent.id, power.id]) {
      expect(await read(alice, id)).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 0 });
    }
    expect(await balanceOf(bob)).toEqual({ total: bobBefore + 12_345n, available: bobBefore + 12_345n });
    const left = 50_000n - 12_345n - 6n * 3_500n;
    expect(await balanceOf(alice)).toEqual({ total: left, available: left });
    const biller = await billerPayments(stack);
    expect(biller.charges - chargesBefore).toBe(6);
    const charged = biller.payments.filter((p) => bills.some((run) => run.id === p.paymentId));
    expect(charged.map((p) => [p.paymentId, p.status]).sort()).toEqual(
      bills.map((run) => [run.id, 'SUCCEEDED']).sort(),
    );

    // Ended, so a later round (none here) would not pay them on.
    for (const id of [rent.id, power.id]) {
      expect((await transitions.cancel(alice, id)).schedule?.status).toBe('CANCELLED');
    }
  });

  it('pauses, resumes and cancels for its owner; answers only its owner', async () => {
    const { id } = await schedule(alice, {
      transfer: { toWalletId: bob.walletId },
      amount: eur(100n),
      frequency: 'MONTHLY',
      startsAt: '2029-05-10T12:00:00.000Z',
    });

    // Another user's schedule is as one that does not exist.
    expect((await eve.client.request(ScheduledPaymentDocument, { id })).data?.scheduledPayment).toBeNull();
    for (const transition of Object.values(transitions)) {
      const res = await transition(eve, id);
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
    expect(await read(alice, id)).toMatchObject({ status: 'ACTIVE', nextRunAt: '2029-05-10T12:00:00.000Z' });

    const steps = [
      { transition: 'pause' as const, status: 'PAUSED', nextRunAt: '2029-05-10T12:00:00.000Z' },
      { transition: 'pause' as const, code: 'SCHEDULE_NOT_ACTIVE' },
      { transition: 'resume' as const, status: 'ACTIVE', nextRunAt: '2029-05-10T12:00:00.000Z' },
      { transition: 'resume' as const, code: 'SCHEDULE_NOT_PAUSED' },
      { transition: 'cancel' as const, status: 'CANCELLED', nextRunAt: null },
      { transition: 'cancel' as const, code: 'SCHEDULE_ENDED' },
      { transition: 'resume' as const, code: 'SCHEDULE_NOT_PAUSED' },
      { transition: 'pause' as const, code: 'SCHEDULE_NOT_ACTIVE' },
    ];
    for (const step of steps) {
      const res = await transitions[step.transition](alice, id);
      if (step.code) {
        expect(
          res.errors?.map((e) => e.extensions?.code),
          step.transition,
        ).toEqual([step.code]);
      } else {
        expect(res.errors).toBeUndefined();
        expect(res.schedule).toMatchObject({
          id,
          status: step.status,
          nextRunAt: step.nextRunAt,
        });
      }
    }
    expect(await read(alice, id)).toMatchObject({ status: 'CANCELLED', nextRunAt: null, runs: [] });
  });

  it('leaves books that agree', async () => {
    await expectBooksAgree(stack, [alice, bob, carl, eve]);
    await expectLedgerInvariants(stack);
  });
});
