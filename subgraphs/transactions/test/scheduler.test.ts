import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createLogger } from '@walletgraph/platform/logger';
import { testDatabaseUrl } from '@walletgraph/platform/test/support/services';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import type { RunMade } from '../context.ts';
import { operations, scheduledPayments } from '../db/schema.ts';
import { createScheduler } from '../scheduler.ts';
import type { TestUser } from './harness.ts';
import { SCHEDULE, SCHEDULE_RUNS, scheduleInput, TRANSITION } from './schedule-documents.ts';
import { useTransactionsHarness } from './use-harness.ts';

// The clock the subgraph reads (operations' creation times, "now" for a new schedule or a resume);
// each test moves it to the moment of the round it runs.
let now = new Date('2027-01-01T00:00:00Z');
const h = useTransactionsHarness({ clock: { now: () => now } });
const scheduler = () => h.service.services.scheduler;

/** Schedules as `user` (EUR, a weekly transfer to `to` unless `overrides` say otherwise); its id. */
async function schedule(
  user: TestUser,
  to: TestUser,
  overrides: Record<string, unknown> = {},
): Promise<string> {
  const input = scheduleInput(user.walletId, { transfer: { toWalletId: to.walletId }, ...overrides }, 'EUR');
  const res = await h.execute(SCHEDULE, { input }, user.token);
  expect(res.errors).toEqual([]);
  return res.data.schedulePayment.id;
}

/** One round as of `at` (the clock moved there too); the runs it made of `scheduleIds`. */
async function roundAt(at: string, scheduleIds: readonly string[]): Promise<RunMade[]> {
  now = new Date(at);
  const round = await scheduler().runOnce(now);
  expect(round.leader).toBe(true);
  return round.runs.filter((run) => scheduleIds.includes(run.scheduleId));
}

async function scheduleRow(id: string) {
  const [row] = await h.service.db.db.select().from(scheduledPayments).where(eq(scheduledPayments.id, id));
  return row!;
}

async function runRows(scheduleIds: readonly string[]) {
  return h.service.db.db
    .select()
    .from(operations)
    .where(inArray(operations.scheduleId, [...scheduleIds]))
    .orderBy(operations.createdAt);
}

/** The ledger's refusal of each PENDING run of the schedule, delivered as the settlement consumer gets it. */
async function refuseRuns(scheduleId: string) {
  const pending = (await runRows([scheduleId])).filter((row) => row.status === 'PENDING');
  for (const row of pending) await h.deliver(h.ledgerAnswer(row.id, { rejected: 'INSUFFICIENT_FUNDS' }));
  return pending.length;
}

const key = (id: string, date: string) => `schedule:${id}:${date}`;

describe('a month of rounds', () => {
  it('makes each run of a weekly and a monthly schedule once, on its date, with its key', async () => {
    now = new Date('2027-02-20T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    // Tuesdays at 09:00, from 2 March; and the 15th at 09:00, from 1 March.
    const weekly = await schedule(alice, bob, { startsAt: '2027-03-02T09:00:00Z' });
    const monthly = await schedule(alice, bob, {
      frequency: 'MONTHLY',
      startsAt: '2027-03-01T09:00:00Z',
      dayOfMonth: 15,
    });
    const ids = [weekly, monthly];
    const made: { day: number; key: string }[] = [];
    for (let day = 1; day <= 31; day++) {
      const at = `2027-03-${String(day).padStart(2, '0')}T12:00:00Z`;
      for (const run of await roundAt(at, ids)) made.push({ day, key: run.idempotencyKey });
      // A second round as of the same moment finds nothing left to make.
      expect(await roundAt(at, ids)).toEqual([]);
    }
    expect(made).toEqual([
      { day: 2, key: key(weekly, '2027-03-02T09:00:00.000Z') },
      { day: 9, key: key(weekly, '2027-03-09T09:00:00.000Z') },
      { day: 15, key: key(monthly, '2027-03-15T09:00:00.000Z') },
      { day: 16, key: key(weekly, '2027-03-16T09:00:00.000Z') },
      { day: 23, key: key(weekly, '2027-03-23T09:00:00.000Z') },
      { day: 30, key: key(weekly, '2027-03-30T09:00:00.000Z') },
    ]);
    const rows = await runRows(ids);
    expect(rows.map((row) => row.idempotencyKey).sort()).toEqual(made.map((m) => m.key).sort());
    expect(
      rows.every(
        (row) => row.kind === 'TRANSFER' && row.status === 'PENDING' && row.ownerId === alice.userId,
      ),
    ).toBe(true);
    const commands = (await h.ledgerCommands()).filter((c) => rows.some((row) => row.id === c.operationId));
    expect(commands).toHaveLength(6);
    expect((await scheduleRow(weekly)).nextRunAt).toEqual(new Date('2027-04-06T09:00:00Z'));
    expect((await scheduleRow(monthly)).nextRunAt).toEqual(new Date('2027-04-15T09:00:00Z'));

    // The runs as the owner reads them: newest first, paged, each naming its schedule.
    const page = await h.execute(SCHEDULE_RUNS, { id: weekly, first: 2 }, alice.token);
    expect(page.errors).toEqual([]);
    const { edges, pageInfo } = page.data.scheduledPayment.runs;
    expect(edges.map((e: { node: { idempotencyKey: string } }) => e.node.idempotencyKey)).toEqual([
      key(weekly, '2027-03-30T09:00:00.000Z'),
      key(weekly, '2027-03-23T09:00:00.000Z'),
    ]);
    expect(edges[0].node.schedule).toEqual({ id: weekly });
    const rest = await h.execute(
      SCHEDULE_RUNS,
      { id: weekly, first: 10, after: pageInfo.endCursor },
      alice.token,
    );
    expect(rest.data.scheduledPayment.runs.edges).toHaveLength(3);
    expect(rest.data.scheduledPayment.runs.pageInfo.hasNextPage).toBe(false);
    for (const id of ids) await h.execute(TRANSITION('cancelSchedule'), { id }, alice.token);
  });

  it('a round after an outage makes every run missed, once; a ONCE schedule then FINISHES', async () => {
    now = new Date('2027-04-01T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const weekly = await schedule(alice, bob, {
      startsAt: '2027-04-05T10:00:00Z',
      endsAt: '2027-04-20T00:00:00Z',
    });
    const once = await schedule(alice, bob, { frequency: 'ONCE', startsAt: '2027-04-06T10:00:00Z' });
    const runs = await roundAt('2027-04-30T00:00:00Z', [weekly, once]);
    expect(runs.map((run) => run.idempotencyKey).sort()).toEqual(
      [
        key(once, '2027-04-06T10:00:00.000Z'),
        key(weekly, '2027-04-05T10:00:00.000Z'),
        key(weekly, '2027-04-12T10:00:00.000Z'),
        key(weekly, '2027-04-19T10:00:00.000Z'),
      ].sort(),
    );
    for (const id of [weekly, once]) {
      expect(await scheduleRow(id)).toMatchObject({ status: 'FINISHED', nextRunAt: null });
    }
  });
});

describe('failed runs', () => {
  it('a run the ledger refuses is FAILED with INSUFFICIENT_FUNDS; the schedule goes on, and a success forgets failures', async () => {
    now = new Date('2027-05-01T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const id = await schedule(alice, bob, { startsAt: '2027-05-03T09:00:00Z' });
    await roundAt('2027-05-03T12:00:00Z', [id]);
    expect(await refuseRuns(id)).toBe(1);
    const [failed] = await runRows([id]);
    expect(failed).toMatchObject({ status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' });
    // Written to the outbox with the failure; it reaches the bus once the relay has published it.
    await vi.waitFor(() =>
      expect(h.published).toContainEqual({
        userId: alice.userId,
        topic: 'operationUpdated',
        notice: { id: failed!.id },
      }),
    );
    expect(await scheduleRow(id)).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 1 });

    const [next] = await roundAt('2027-05-10T12:00:00Z', [id]);
    expect(next).toMatchObject({ idempotencyKey: key(id, '2027-05-10T09:00:00.000Z'), status: 'PENDING' });
    await h.deliver(h.ledgerAnswer(next!.operationId!, { posted: true }));
    expect(await scheduleRow(id)).toMatchObject({ status: 'ACTIVE', consecutiveFailures: 0 });
    // The recipient sees the completed transfer, not the sender's schedule.
    const OPERATION_SCHEDULE = 'query($id: ID!) { operation(id: $id) { status schedule { id } } }';
    const seen = async (user: TestUser) =>
      (await h.execute(OPERATION_SCHEDULE, { id: next!.operationId }, user.token)).data.operation;
    expect(await seen(alice)).toEqual({ status: 'COMPLETED', schedule: { id } });
    expect(await seen(bob)).toEqual({ status: 'COMPLETED', schedule: null });
    await h.execute(TRANSITION('cancelSchedule'), { id }, alice.token);
  });

  it('SCHEDULE_MAX_FAILURES (3) failures in a row pause it; it makes no run until resumed, failures forgotten', async () => {
    now = new Date('2027-06-01T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const id = await schedule(alice, bob, { startsAt: '2027-06-01T09:00:00Z' });
    const statuses = [];
    for (const at of ['2027-06-01T12:00:00Z', '2027-06-08T12:00:00Z', '2027-06-15T12:00:00Z']) {
      await roundAt(at, [id]);
      await refuseRuns(id);
      const { status, consecutiveFailures } = await scheduleRow(id);
      statuses.push([status, consecutiveFailures]);
    }
    expect(statuses).toEqual([
      ['ACTIVE', 1],
      ['ACTIVE', 2],
      ['PAUSED', 3],
    ]);
    expect(await roundAt('2027-06-22T12:00:00Z', [id])).toEqual([]);

    now = new Date('2027-06-23T00:00:00Z');
    const resumed = await h.execute(TRANSITION('resumeSchedule'), { id }, alice.token);
    expect(resumed.data.resumeSchedule).toEqual({
      id,
      status: 'ACTIVE',
      nextRunAt: '2027-06-29T09:00:00.000Z',
      consecutiveFailures: 0,
    });
    const runs = await roundAt('2027-06-29T12:00:00Z', [id]);
    expect(runs.map((run) => run.idempotencyKey)).toEqual([key(id, '2027-06-29T09:00:00.000Z')]);
    await h.execute(TRANSITION('cancelSchedule'), { id }, alice.token);
  });

  it('a run refused outright counts as failed without an operation, and the round goes on for the others', async () => {
    now = new Date('2027-07-01T00:00:00Z');
    const [alice, bob, carol] = [await h.user(), await h.user(), await h.user()];
    const archived = await h.openWallet(alice.userId, 'EUR');
    const fromArchived = await schedule({ ...alice, walletId: archived }, bob, {
      startsAt: '2027-07-05T09:00:00Z',
    });
    const toNobody = await schedule(carol, bob, {
      startsAt: '2027-07-05T09:00:00Z',
      transfer: { toEmail: 'nobody@example.com' },
    });
    const fine = await schedule(bob, carol, { startsAt: '2027-07-05T09:00:00Z' });
    await h.archiveWallet(alice.userId, archived);
    const runs = await roundAt('2027-07-05T12:00:00Z', [fromArchived, toNobody, fine]);
    const outcome = (id: string) => runs.find((run) => run.scheduleId === id);
    expect(outcome(fromArchived)).toMatchObject({
      operationId: null,
      status: 'FAILED',
      failureCode: 'WALLET_ARCHIVED',
    });
    expect(outcome(toNobody)).toMatchObject({
      operationId: expect.any(String),
      status: 'FAILED',
      failureCode: 'RECIPIENT_NOT_FOUND',
    });
    expect(outcome(fine)).toMatchObject({ status: 'PENDING', failureCode: null });
    expect((await runRows([fromArchived])).length).toBe(0);
    for (const id of [fromArchived, toNobody]) {
      expect(await scheduleRow(id)).toMatchObject({
        status: 'ACTIVE',
        consecutiveFailures: 1,
        nextRunAt: new Date('2027-07-12T09:00:00Z'),
      });
    }
    expect(await scheduleRow(fine)).toMatchObject({
      consecutiveFailures: 0,
      nextRunAt: new Date('2027-07-12T09:00:00Z'),
    });
  });
});

describe('a catch-up that fails', () => {
  it('stops at SCHEDULE_MAX_FAILURES runs failed at once: the schedule pauses, the dates left are missed', async () => {
    now = new Date('2027-07-15T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const id = await schedule(alice, bob, {
      startsAt: '2027-07-19T09:00:00Z',
      transfer: { toEmail: 'nobody@example.com' },
    });
    const runs = await roundAt('2027-08-31T00:00:00Z', [id]);
    expect(runs.map((run) => [run.idempotencyKey, run.failureCode])).toEqual([
      [key(id, '2027-07-19T09:00:00.000Z'), 'RECIPIENT_NOT_FOUND'],
      [key(id, '2027-07-26T09:00:00.000Z'), 'RECIPIENT_NOT_FOUND'],
      [key(id, '2027-08-02T09:00:00.000Z'), 'RECIPIENT_NOT_FOUND'],
    ]);
    expect(await scheduleRow(id)).toMatchObject({
      status: 'PAUSED',
      consecutiveFailures: 3,
      nextRunAt: new Date('2027-09-06T09:00:00Z'),
    });
  });
});

describe('one replica at a time', () => {
  it('rounds started together, in one process and in two schedulers, pay nothing twice', async () => {
    now = new Date('2027-08-01T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const ids = [
      await schedule(alice, bob, { startsAt: '2027-08-02T09:00:00Z' }),
      await schedule(bob, alice, { startsAt: '2027-08-02T09:00:00Z', frequency: 'MONTHLY' }),
    ];
    const other = createScheduler({
      db: h.service.db,
      services: () => h.service.services,
      logger: createLogger('scheduler-test', 'silent'),
      intervalMs: 60_000,
      maxFailures: 3,
    });
    now = new Date('2027-08-20T12:00:00Z');
    const rounds = await Promise.all([
      scheduler().runOnce(now),
      scheduler().runOnce(now),
      other.runOnce(now),
      other.runOnce(now),
    ]);
    await other.stop();
    const made = rounds.flatMap((round) => round.runs).filter((run) => ids.includes(run.scheduleId));
    const expected = [
      key(ids[0]!, '2027-08-02T09:00:00.000Z'),
      key(ids[0]!, '2027-08-09T09:00:00.000Z'),
      key(ids[0]!, '2027-08-16T09:00:00.000Z'),
      key(ids[1]!, '2027-08-02T09:00:00.000Z'),
    ];
    expect(made.map((run) => run.idempotencyKey).sort()).toEqual(expected);
    expect((await runRows(ids)).map((row) => row.idempotencyKey).sort()).toEqual(expected);
    expect(rounds.some((round) => round.leader)).toBe(true);
  });
});

describe('pnpm schedules:run', () => {
  it('runs one round by hand against the database, as of --at, and prints the runs it made', async () => {
    now = new Date('2027-10-01T00:00:00Z');
    const [alice, bob] = [await h.user(), await h.user()];
    const id = await schedule(alice, bob, { startsAt: '2027-10-04T09:00:00Z' });
    const [{ name }] = (await h.service.db.db.execute(sql`select current_database() as name`)) as unknown as [
      { name: string },
    ];
    const run = (at: string) =>
      promisify(execFile)(
        process.execPath,
        ['subgraphs/transactions/run-schedules.ts', '--at', at, '--future'],
        {
          cwd: fileURLToPath(new URL('../../..', import.meta.url)),
          env: { ...process.env, TRANSACTIONS_DATABASE_URL: testDatabaseUrl(name) },
        },
      );
    const { stdout } = await run('2027-10-11T12:00:00Z');
    const [first] = await runRows([id]);
    expect(stdout).toContain('scheduled runs made as of 2027-10-11T12:00:00.000Z:');
    for (const date of ['2027-10-04T09:00:00.000Z', '2027-10-11T09:00:00.000Z']) {
      expect(stdout).toContain(`${key(id, date)}  operation `);
    }
    expect(stdout).toContain(`${key(id, '2027-10-04T09:00:00.000Z')}  operation ${first!.id}  PENDING`);
    expect((await runRows([id])).map((row) => row.idempotencyKey)).toEqual([
      key(id, '2027-10-04T09:00:00.000Z'),
      key(id, '2027-10-11T09:00:00.000Z'),
    ]);
    expect((await run('2027-10-11T12:00:00Z')).stdout).not.toContain(id);
  });
});
