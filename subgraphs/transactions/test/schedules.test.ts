import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_LISTED_SCHEDULES } from '../schedule-reads.ts';
import { newKey, onlyError, type TestUser } from './harness.ts';
import {
  SCHEDULE,
  SCHEDULED_PAYMENT,
  scheduleInput,
  TRANSITION,
  WALLET_SCHEDULES,
} from './schedule-documents.ts';
import { useBillsHarness } from './use-biller.ts';

// The biller's catalog is in ZAR (docs/biller.md): these users' wallets are too.
const bills = useBillsHarness();
const h = () => bills.harness;
let alice: TestUser;
let bob: TestUser;
const startsAt = () => new Date(Date.now() + 24 * 3600_000).toISOString();

beforeAll(async () => {
  alice = await h().user({ currency: 'ZAR' });
  bob = await h().user({ currency: 'ZAR' });
});

async function schedule(user: TestUser, overrides: Record<string, unknown> = {}) {
  return h().execute(
    SCHEDULE,
    { input: scheduleInput(user.walletId, { startsAt: startsAt(), ...overrides }) },
    user.token,
  );
}

async function scheduled(user: TestUser, overrides: Record<string, unknown> = {}) {
  const res = await schedule(user, overrides);
  expect(res.errors).toEqual([]);
  return res.data.schedulePayment;
}

describe('schedulePayment', () => {
  it('schedules a weekly transfer to a wallet: ACTIVE, its first run at its start', async () => {
    const start = startsAt();
    const s = await scheduled(alice, {
      startsAt: start,
      transfer: { toWalletId: bob.walletId },
      note: ' rent ',
    });
    expect(s).toEqual({
      id: expect.any(String),
      kind: 'TRANSFER',
      status: 'ACTIVE',
      frequency: 'WEEKLY',
      startsAt: start,
      endsAt: null,
      dayOfMonth: null,
      nextRunAt: start,
      consecutiveFailures: 0,
      amount: { amount: '5.00', currency: 'ZAR' },
      wallet: { id: alice.walletId },
      jar: null,
      toWallet: { id: bob.walletId },
      biller: null,
      billReference: null,
      note: 'rent',
      runs: { edges: [], pageInfo: { hasNextPage: false, endCursor: null } },
      createdAt: expect.any(String),
    });
  });

  it('schedules a monthly bill from a jar, on startsAt’s day when none is given', async () => {
    const jarId = await h().createJar(alice.userId, alice.walletId, 'ZAR');
    const start = '2030-01-31T08:00:00.000Z';
    const s = await scheduled(alice, {
      walletId: null,
      jarId,
      transfer: null,
      bill: { billerId: 'metro-power', reference: '45012345678' },
      frequency: 'MONTHLY',
      startsAt: start,
    });
    expect(s).toMatchObject({
      kind: 'BILL_PAYMENT',
      dayOfMonth: 31,
      nextRunAt: start,
      wallet: { id: alice.walletId },
      jar: { id: jarId },
      toWallet: null,
      biller: { id: 'metro-power' },
      billReference: '45012345678',
    });
  });

  it('returns the same schedule for the same key and request; another request is IDEMPOTENCY_KEY_REUSED', async () => {
    const input = { idempotencyKey: newKey(), startsAt: startsAt() };
    const first = await scheduled(alice, input);
    expect((await scheduled(alice, { ...input, amount: { amount: '5', currency: 'ZAR' } })).id).toBe(
      first.id,
    );
    expect(
      onlyError(await schedule(alice, { ...input, amount: { amount: '6', currency: 'ZAR' } })),
    ).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
    });
  });

  it('answers another user’s wallet exactly as an unknown one', async () => {
    const theirs = onlyError(
      await schedule(alice, { walletId: bob.walletId, transfer: { toEmail: 'x@example.com' } }),
    );
    const unknown = onlyError(
      await schedule(alice, {
        walletId: '0196f0a0-0000-7000-8000-0000000000ff',
        transfer: { toEmail: 'x@example.com' },
      }),
    );
    expect(theirs).toMatchObject({ code: 'NOT_FOUND', field: 'input.walletId' });
    expect(unknown).toEqual(theirs);
  });

  it.each([
    [
      'an amount in another currency',
      () => ({ amount: { amount: '5', currency: 'EUR' } }),
      'CURRENCY_MISMATCH',
      'input.amount.currency',
    ],
    [
      'an unknown biller',
      () => ({ transfer: null, bill: { billerId: 'nobody', reference: '1' } }),
      'NOT_FOUND',
      'input.bill.billerId',
    ],
    [
      'a reference off the biller’s pattern',
      () => ({ transfer: null, bill: { billerId: 'metro-power', reference: '4501' } }),
      'INVALID_REFERENCE',
      'input.bill.reference',
    ],
    [
      'a ONCE start long past',
      () => ({ frequency: 'ONCE', startsAt: '2020-01-01T00:00:00Z' }),
      'BAD_USER_INPUT',
      'input.startsAt',
    ],
    [
      'an end long past',
      () => ({ startsAt: '2020-01-01T00:00:00Z', endsAt: '2020-03-01T00:00:00Z' }),
      'BAD_USER_INPUT',
      'input.endsAt',
    ],
    [
      'the wallet itself as recipient',
      () => ({ transfer: { toWalletId: alice.walletId.toUpperCase() } }),
      'BAD_USER_INPUT',
      'input.transfer.toWalletId',
    ],
  ])('refuses %s', async (_name, overrides, code, field) => {
    expect(onlyError(await schedule(alice, overrides()))).toMatchObject({ code, field });
  });

  it('refuses an archived wallet: WALLET_ARCHIVED', async () => {
    const walletId = await h().openWallet(alice.userId, 'ZAR');
    await h().archiveWallet(alice.userId, walletId);
    const res = await h().execute(
      SCHEDULE,
      { input: scheduleInput(walletId, { startsAt: startsAt() }) },
      alice.token,
    );
    expect(onlyError(res)).toMatchObject({ code: 'WALLET_ARCHIVED', field: 'input.walletId' });
  });

  it('pays a bill from the caller’s own active jar only: NOT_FOUND for another’s, JAR_ARCHIVED', async () => {
    const bill = { billerId: 'metro-power', reference: '45012345678' };
    const fromJar = (jarId: string) => schedule(alice, { walletId: null, jarId, transfer: null, bill });
    const bobs = await h().createJar(bob.userId, bob.walletId, 'ZAR');
    expect(onlyError(await fromJar(bobs))).toMatchObject({ code: 'NOT_FOUND', field: 'input.jarId' });
    const archived = await h().createJar(alice.userId, alice.walletId, 'ZAR');
    await h().archiveJar(alice.userId, alice.walletId, archived);
    expect(onlyError(await fromJar(archived))).toMatchObject({ code: 'JAR_ARCHIVED', field: 'input.jarId' });
  });

  it('refuses an anonymous caller', async () => {
    const res = await h().execute(SCHEDULE, {
      input: scheduleInput(alice.walletId, { startsAt: startsAt() }),
    });
    expect(onlyError(res).code).toBe('UNAUTHENTICATED');
  });
});

describe('pause, resume, cancel', () => {
  const transition = async (
    mutation: 'pauseSchedule' | 'resumeSchedule' | 'cancelSchedule',
    id: string,
    user = alice,
  ) => h().execute(TRANSITION(mutation), { id }, user.token);

  it('moves ACTIVE → PAUSED → ACTIVE → CANCELLED, and refuses what does not apply with a stable code', async () => {
    const { id, nextRunAt } = await scheduled(alice);
    const steps = [
      ['resumeSchedule', 'SCHEDULE_NOT_PAUSED'],
      ['pauseSchedule', 'PAUSED'],
      ['pauseSchedule', 'SCHEDULE_NOT_ACTIVE'],
      ['resumeSchedule', 'ACTIVE'],
      ['cancelSchedule', 'CANCELLED'],
      ['cancelSchedule', 'SCHEDULE_ENDED'],
      ['resumeSchedule', 'SCHEDULE_NOT_PAUSED'],
      ['pauseSchedule', 'SCHEDULE_NOT_ACTIVE'],
    ] as const;
    const seen = [];
    for (const [mutation] of steps) {
      const res = await transition(mutation, id);
      seen.push([mutation, res.errors.length ? onlyError(res).code : res.data[mutation].status]);
    }
    expect(seen).toEqual(steps);
    const { data } = await h().execute(SCHEDULED_PAYMENT, { id }, alice.token);
    expect(data.scheduledPayment).toMatchObject({ status: 'CANCELLED', nextRunAt: null });
    expect(nextRunAt).not.toBeNull();
  });

  it.each(['pauseSchedule', 'resumeSchedule', 'cancelSchedule'] as const)(
    '%s of another user’s schedule answers as an unknown one, and changes nothing',
    async (mutation) => {
      const { id } = await scheduled(alice);
      const theirs = onlyError(await transition(mutation, id, bob));
      expect(theirs).toMatchObject({ code: 'NOT_FOUND', field: 'id' });
      expect(onlyError(await transition(mutation, '0196f0a0-0000-7000-8000-0000000000ff', bob))).toEqual(
        theirs,
      );
      expect(onlyError(await transition(mutation, 'not-an-id', bob))).toEqual(theirs);
      const { data } = await h().execute(SCHEDULED_PAYMENT, { id }, alice.token);
      expect(data.scheduledPayment.status).toBe('ACTIVE');
    },
  );
});

describe('reading schedules', () => {
  it('scheduledPayment(id) is the owner’s only: null for anyone else and for unknown ids', async () => {
    const { id } = await scheduled(alice);
    expect((await h().execute(SCHEDULED_PAYMENT, { id }, alice.token)).data.scheduledPayment.id).toBe(id);
    for (const [args, token] of [
      [{ id }, bob.token],
      [{ id }, undefined],
      [{ id: '0196f0a0-0000-7000-8000-0000000000ff' }, alice.token],
      [{ id: 'nope' }, alice.token],
    ] as const) {
      expect(await h().execute(SCHEDULED_PAYMENT, args, token)).toEqual({
        data: { scheduledPayment: null },
        errors: [],
      });
    }
  });

  it('Wallet.scheduledPayments lists the owner’s, newest first; empty for anyone else', async () => {
    const carol = await h().user({ currency: 'ZAR' });
    const first = await scheduled(carol);
    const second = await scheduled(carol, { frequency: 'ONCE' });
    const list = (token?: string) =>
      h().execute(WALLET_SCHEDULES, { r: [{ __typename: 'Wallet', id: carol.walletId }] }, token);
    const own = await list(carol.token);
    expect(own.data._entities[0].scheduledPayments.map((s: { id: string }) => s.id)).toEqual([
      second.id,
      first.id,
    ]);
    expect((await list(alice.token)).data._entities[0].scheduledPayments).toEqual([]);
    expect((await list()).data._entities[0].scheduledPayments).toEqual([]);
  });

  it(`Wallet.scheduledPayments lists the ${MAX_LISTED_SCHEDULES} newest, its @listSize`, async () => {
    const dave = await h().user({ currency: 'ZAR' });
    const ids = [];
    for (let i = 0; i <= MAX_LISTED_SCHEDULES; i++) ids.push((await scheduled(dave)).id);
    const { data } = await h().execute(
      WALLET_SCHEDULES,
      { r: [{ __typename: 'Wallet', id: dave.walletId }] },
      dave.token,
    );
    expect(data._entities[0].scheduledPayments.map((s: { id: string }) => s.id)).toEqual(
      ids.slice(1).reverse(),
    );
  });
});

describe('a scheduled bill', () => {
  const OPERATION = /* GraphQL */ `
    query Operation($id: ID!) {
      operation(id: $id) { kind status idempotencyKey billReference biller { id } schedule { id } }
    }
  `;

  it('runs through payBill’s path: a BILL_PAYMENT with its run’s key, naming its schedule', async () => {
    const start = startsAt();
    const bill = { billerId: 'metro-power', reference: '45012345678' };
    const s = await scheduled(alice, { transfer: null, bill, frequency: 'ONCE', startsAt: start });
    const round = await h().service.services.scheduler.runOnce(new Date(Date.parse(start) + 60_000));
    const run = round.runs.find((r) => r.scheduleId === s.id);
    const key = `schedule:${s.id}:${new Date(start).toISOString()}`;
    expect(run).toMatchObject({ idempotencyKey: key, status: 'PENDING', operationId: expect.any(String) });
    const { data } = await h().execute(OPERATION, { id: run!.operationId }, alice.token);
    expect(data.operation).toEqual({
      kind: 'BILL_PAYMENT',
      status: 'PENDING',
      idempotencyKey: key,
      billReference: '45012345678',
      biller: { id: 'metro-power' },
      schedule: { id: s.id },
    });
    const after = await h().execute(SCHEDULED_PAYMENT, { id: s.id }, alice.token);
    expect(after.data.scheduledPayment).toMatchObject({ status: 'FINISHED', nextRunAt: null });
    expect(after.data.scheduledPayment.runs.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([
      run!.operationId,
    ]);
  });
});
