import { uuidv7 } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type OperationRow, operations, outbox } from '../db/schema.ts';
import {
  ALLOCATE_TO_JAR,
  eur,
  MOVE_BETWEEN_JARS,
  newKey,
  OPERATION,
  onlyError,
  operationsWithKey,
  RELEASE_FROM_JAR,
  SPEND_FROM_JAR,
  walletOperations,
} from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

const h = useTransactionsHarness();
const alice = useUser(h);
const bob = useUser(h);
/** Alice's jars in her default wallet. */
let savings: string;
let holiday: string;
/** Bob's jar in his default wallet. */
let bobsJar: string;

beforeAll(async () => {
  savings = await h.createJar(alice.userId, alice.walletId);
  holiday = await h.createJar(alice.userId, alice.walletId);
  bobsJar = await h.createJar(bob.userId, bob.walletId);
});
const jarInput = (jarId: string, amount = '2.50', idempotencyKey = newKey()) => ({
  jarId,
  amount: eur(amount),
  idempotencyKey,
});
const moveInput = (fromJarId: string, toJarId: string, amount = '2.50', idempotencyKey = newKey()) => ({
  fromJarId,
  toJarId,
  amount: eur(amount),
  idempotencyKey,
});

async function row(id: string): Promise<OperationRow> {
  const [found] = await h.service.db.db.select().from(operations).where(eq(operations.id, id));
  return found!;
}

/** Rows in `operations` and `outbox`: what a refused request must leave as it was. */
async function counts() {
  return { operations: await h.count(operations), outbox: await h.count(outbox) };
}

describe('jar moves: one operation and one ledger command each, settled by the ledger’s answer', () => {
  const available = () => `wallet:${alice.walletId}:available`;
  const cases = [
    {
      title: 'allocateToJar moves available → jar',
      mutation: ALLOCATE_TO_JAR,
      field: 'allocateToJar',
      input: () => jarInput(savings),
      kind: 'JAR_ALLOCATION',
      direction: 'INTERNAL',
      description: 'Jar allocation',
      postings: () => [
        { account: available(), amount: '-250', currency: 'EUR' },
        { account: `jar:${savings}`, amount: '250', currency: 'EUR' },
      ],
      jars: () => ({ jarId: savings, counterpartyJarId: null }),
    },
    {
      title: 'releaseFromJar moves jar → available',
      mutation: RELEASE_FROM_JAR,
      field: 'releaseFromJar',
      input: () => jarInput(savings),
      kind: 'JAR_RELEASE',
      direction: 'INTERNAL',
      description: 'Jar release',
      postings: () => [
        { account: `jar:${savings}`, amount: '-250', currency: 'EUR' },
        { account: available(), amount: '250', currency: 'EUR' },
      ],
      jars: () => ({ jarId: savings, counterpartyJarId: null }),
    },
    {
      title: 'moveBetweenJars moves jar → jar',
      mutation: MOVE_BETWEEN_JARS,
      field: 'moveBetweenJars',
      input: () => moveInput(savings, holiday),
      kind: 'JAR_MOVE',
      direction: 'INTERNAL',
      description: 'Move between jars',
      postings: () => [
        { account: `jar:${savings}`, amount: '-250', currency: 'EUR' },
        { account: `jar:${holiday}`, amount: '250', currency: 'EUR' },
      ],
      jars: () => ({ jarId: savings, counterpartyJarId: holiday }),
    },
    {
      title: 'spendFromJar moves jar → external withdrawals',
      mutation: SPEND_FROM_JAR,
      field: 'spendFromJar',
      input: () => jarInput(savings),
      kind: 'JAR_SPEND',
      direction: 'OUT',
      description: 'Jar spend',
      postings: () => [
        { account: `jar:${savings}`, amount: '-250', currency: 'EUR' },
        { account: 'external:withdrawals:EUR', amount: '250', currency: 'EUR' },
      ],
      jars: () => ({ jarId: savings, counterpartyJarId: null }),
    },
  ];

  it.each(cases)('$title, PENDING until the ledger posts it, then COMPLETED', async (c) => {
    const input = c.input();
    const res = await h.execute(c.mutation, { input, waitMs: 0 }, alice.token);
    expect(res.errors).toEqual([]);
    const op = res.data[c.field];
    expect(op).toEqual({
      id: expect.any(String),
      kind: c.kind,
      status: 'PENDING',
      failureCode: null,
      direction: c.direction,
      note: null,
      idempotencyKey: input.idempotencyKey,
      createdAt: expect.any(String),
      settledAt: null,
      amount: { amount: '2.50', currency: 'EUR', minorUnits: '250' },
      wallet: { id: alice.walletId },
      counterpartyWallet: null,
    });
    expect(await row(op.id)).toMatchObject({ ownerId: alice.userId, walletId: alice.walletId, ...c.jars() });
    expect((await h.ledgerCommands()).filter((cmd) => cmd.operationId === op.id)).toEqual([
      {
        idempotencyKey: `op:${op.id}`,
        operationId: op.id,
        description: c.description,
        postings: c.postings(),
      },
    ]);

    await h.deliver(h.ledgerAnswer(op.id, { posted: true }));
    const settled = await h.execute(OPERATION, { id: op.id }, alice.token);
    expect(settled.data.operation).toEqual({
      ...op,
      status: 'COMPLETED',
      settledAt: expect.any(String),
    });
    expect((await h.settledEvents()).filter((e) => e.operationId === op.id)).toEqual([
      expect.objectContaining({ kind: c.kind, status: 'COMPLETED', walletId: alice.walletId, amount: '250' }),
    ]);
    const history = await walletOperations(h, alice.token, alice.walletId, { first: 1 });
    expect(history.data._entities[0].operations.edges[0].node).toEqual({
      id: op.id,
      kind: c.kind,
      direction: c.direction,
      status: 'COMPLETED',
      amount: { amount: '2.50' },
      wallet: { id: alice.walletId },
      counterpartyWallet: null,
    });
  });

  it('a spend larger than the jar holds settles FAILED with INSUFFICIENT_FUNDS from the ledger', async () => {
    const key = newKey();
    const pending = h.execute(
      SPEND_FROM_JAR,
      { input: jarInput(savings, '999', key), waitMs: 8000 },
      alice.token,
    );
    const [created] = await waitFor(`an operation with key ${key}`, async () => {
      const rows = await operationsWithKey(h, alice.userId, key);
      return rows.length > 0 ? rows : undefined;
    });
    await h.deliver(h.ledgerAnswer(created!.id, { rejected: 'INSUFFICIENT_FUNDS' }));
    const res = await pending;
    expect(res.errors).toEqual([]);
    expect(res.data.spendFromJar).toMatchObject({
      id: created!.id,
      kind: 'JAR_SPEND',
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
      settledAt: expect.any(String),
    });
    expect(await row(created!.id)).toMatchObject({
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
      ledgerEntryId: null,
    });
  });
});

describe('jar move refusals leave no operation and no message behind', () => {
  const cases: { title: string; run: () => Promise<Record<string, unknown>>; code: string; field: string }[] =
    [
      {
        title: 'another user’s jar',
        run: async () =>
          onlyError(await h.execute(ALLOCATE_TO_JAR, { input: jarInput(bobsJar) }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.jarId',
      },
      {
        title: 'an unknown jar',
        run: async () =>
          onlyError(await h.execute(SPEND_FROM_JAR, { input: jarInput(uuidv7()) }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.jarId',
      },
      {
        title: 'a jar id that is no UUID',
        run: async () =>
          onlyError(await h.execute(RELEASE_FROM_JAR, { input: jarInput('savings') }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.jarId',
      },
      {
        title: 'a move from another user’s jar',
        run: async () =>
          onlyError(await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(bobsJar, savings) }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.fromJarId',
      },
      {
        title: 'a move to another user’s jar',
        run: async () =>
          onlyError(await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, bobsJar) }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.toJarId',
      },
      {
        title: 'a move to an unknown jar',
        run: async () =>
          onlyError(await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, uuidv7()) }, alice.token)),
        code: 'NOT_FOUND',
        field: 'input.toJarId',
      },
      {
        title: 'a move to the same jar',
        run: async () =>
          onlyError(await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, savings) }, alice.token)),
        code: 'BAD_USER_INPUT',
        field: 'input.toJarId',
      },
      {
        title: 'another currency than the jar’s',
        run: async () =>
          onlyError(
            await h.execute(
              ALLOCATE_TO_JAR,
              { input: { ...jarInput(savings), amount: { amount: '1', currency: 'USD' } } },
              alice.token,
            ),
          ),
        code: 'CURRENCY_MISMATCH',
        field: 'input.amount.currency',
      },
      {
        title: 'a zero amount',
        run: async () =>
          onlyError(await h.execute(ALLOCATE_TO_JAR, { input: jarInput(savings, '0') }, alice.token)),
        code: 'BAD_USER_INPUT',
        field: 'input.amount.amount',
      },
      {
        title: 'more decimals than the currency has',
        run: async () =>
          onlyError(
            await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, holiday, '1.001') }, alice.token),
          ),
        code: 'BAD_USER_INPUT',
        field: 'input.amount.amount',
      },
      {
        title: 'an empty idempotency key',
        run: async () =>
          onlyError(await h.execute(SPEND_FROM_JAR, { input: jarInput(savings, '1', '') }, alice.token)),
        code: 'BAD_USER_INPUT',
        field: 'input.idempotencyKey',
      },
      {
        title: 'waitMs above 10 s',
        run: async () =>
          onlyError(
            await h.execute(RELEASE_FROM_JAR, { input: jarInput(savings), waitMs: 10_001 }, alice.token),
          ),
        code: 'BAD_USER_INPUT',
        field: 'waitMs',
      },
    ];

  it.each(cases)('$title → $code on $field', async (c) => {
    const before = await counts();
    expect(await c.run()).toMatchObject({ code: c.code, field: c.field });
    expect(await counts()).toEqual(before);
  });

  it('another user’s jar and an unknown jar are indistinguishable', async () => {
    const others = onlyError(await h.execute(SPEND_FROM_JAR, { input: jarInput(bobsJar) }, alice.token));
    const unknown = onlyError(await h.execute(SPEND_FROM_JAR, { input: jarInput(uuidv7()) }, alice.token));
    expect(others).toEqual(unknown);
  });

  it('no signed-in user → UNAUTHENTICATED', async () => {
    const before = await counts();
    expect(onlyError(await h.execute(ALLOCATE_TO_JAR, { input: jarInput(savings) })).code).toBe(
      'UNAUTHENTICATED',
    );
    expect(await counts()).toEqual(before);
  });

  it('an archived jar accepts no moves, from or to it: JAR_ARCHIVED', async () => {
    const archived = await h.createJar(alice.userId, alice.walletId);
    await h.archiveJar(alice.userId, alice.walletId, archived);
    const before = await counts();
    const refusals = [
      await h.execute(ALLOCATE_TO_JAR, { input: jarInput(archived) }, alice.token),
      await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(archived, savings) }, alice.token),
      await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, archived) }, alice.token),
    ].map((res) => onlyError(res));
    expect(refusals.map(({ code, field }) => ({ code, field }))).toEqual([
      { code: 'JAR_ARCHIVED', field: 'input.jarId' },
      { code: 'JAR_ARCHIVED', field: 'input.fromJarId' },
      { code: 'JAR_ARCHIVED', field: 'input.toJarId' },
    ]);
    expect(await counts()).toEqual(before);
  });

  it('a jar of an archived wallet: WALLET_ARCHIVED', async () => {
    const wallet = await h.openWallet(alice.userId, 'EUR');
    const jar = await h.createJar(alice.userId, wallet);
    await h.archiveWallet(alice.userId, wallet);
    const before = await counts();
    const error = onlyError(await h.execute(SPEND_FROM_JAR, { input: jarInput(jar) }, alice.token));
    expect(error).toMatchObject({ code: 'WALLET_ARCHIVED', field: 'input.jarId' });
    expect(await counts()).toEqual(before);
  });

  it('a move between jars of two wallets: BAD_USER_INPUT on input.toJarId', async () => {
    const wallet = await h.openWallet(alice.userId, 'EUR');
    const elsewhere = await h.createJar(alice.userId, wallet);
    const before = await counts();
    const error = onlyError(
      await h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, elsewhere) }, alice.token),
    );
    expect(error).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.toJarId',
      message: 'input.toJarId: jars must be in the same wallet',
    });
    expect(await counts()).toEqual(before);
  });
});

describe('jar move idempotency', () => {
  it('a retry with the same key and request returns the same operation and sends nothing more', async () => {
    const input = moveInput(savings, holiday, '3');
    const first = await h.execute(MOVE_BETWEEN_JARS, { input, waitMs: 0 }, alice.token);
    expect(first.errors).toEqual([]);
    const before = await counts();
    const retry = await h.execute(
      MOVE_BETWEEN_JARS,
      { input: { ...input, amount: eur('3.00'), fromJarId: savings.toUpperCase() }, waitMs: 0 },
      alice.token,
    );
    expect(retry.errors).toEqual([]);
    expect(retry.data.moveBetweenJars).toEqual(first.data.moveBetweenJars);
    expect(await counts()).toEqual(before);
  });

  it('concurrent requests with one key make one operation and one command, and all answer it', async () => {
    const input = jarInput(savings, '4');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => h.execute(ALLOCATE_TO_JAR, { input, waitMs: 0 }, alice.token)),
    );
    for (const res of results) expect(res.errors).toEqual([]);
    const ids = new Set(results.map((r) => r.data.allocateToJar.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await operationsWithKey(h, alice.userId, input.idempotencyKey)).toHaveLength(1);
    expect((await h.ledgerCommands()).filter((c) => c.operationId === id)).toHaveLength(1);
  });

  it('the same key with another jar, amount or kind is IDEMPOTENCY_KEY_REUSED, and moves nothing', async () => {
    const key = newKey();
    const first = await h.execute(
      ALLOCATE_TO_JAR,
      { input: jarInput(savings, '1', key), waitMs: 0 },
      alice.token,
    );
    expect(first.errors).toEqual([]);
    const before = await counts();
    const reuses = await Promise.all([
      h.execute(ALLOCATE_TO_JAR, { input: jarInput(holiday, '1', key) }, alice.token),
      h.execute(ALLOCATE_TO_JAR, { input: jarInput(savings, '2', key) }, alice.token),
      h.execute(RELEASE_FROM_JAR, { input: jarInput(savings, '1', key) }, alice.token),
      h.execute(SPEND_FROM_JAR, { input: jarInput(savings, '1', key) }, alice.token),
      h.execute(MOVE_BETWEEN_JARS, { input: moveInput(savings, holiday, '1', key) }, alice.token),
    ]);
    for (const res of reuses) {
      expect(onlyError(res)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
    }
    expect(await counts()).toEqual(before);
    expect(await operationsWithKey(h, alice.userId, key)).toEqual([
      expect.objectContaining({ id: first.data.allocateToJar.id, kind: 'JAR_ALLOCATION', jarId: savings }),
    ]);
  });
});
