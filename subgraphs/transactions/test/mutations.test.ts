import { uuidv7 } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { describe, expect, it } from 'vitest';
import { type OperationRow, operations, outbox } from '../db/schema.ts';
import { DEPOSIT, eur, newKey, onlyError, operationsWithKey, TRANSFER, WITHDRAW } from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

const h = useTransactionsHarness();
const alice = useUser(h);
const bob = useUser(h);

describe('deposit, withdraw, transfer', () => {
  it('a deposit is PENDING with its ledger command, both committed together', async () => {
    const key = newKey();
    const res = await h.execute(
      DEPOSIT,
      {
        input: { walletId: alice.walletId, amount: eur('12.5'), idempotencyKey: key, note: ' salary ' },
        waitMs: 0,
      },
      alice.token,
    );
    expect(res.errors).toEqual([]);
    const op = res.data.deposit;
    expect(op).toMatchObject({
      kind: 'DEPOSIT',
      status: 'PENDING',
      failureCode: null,
      direction: 'IN',
      note: 'salary',
      idempotencyKey: key,
      settledAt: null,
      amount: { amount: '12.50', currency: 'EUR', minorUnits: '1250' },
      wallet: { id: alice.walletId },
      counterpartyWallet: null,
    });
    const command = (await h.ledgerCommands()).find((c) => c.operationId === op.id);
    expect(command).toEqual({
      idempotencyKey: `op:${op.id}`,
      operationId: op.id,
      description: 'Deposit',
      postings: [
        { account: 'external:deposits:EUR', amount: '-1250', currency: 'EUR' },
        { account: `wallet:${alice.walletId}:available`, amount: '1250', currency: 'EUR' },
      ],
    });
  });

  it('a withdrawal draws on the wallet’s available balance', async () => {
    const res = await h.execute(
      WITHDRAW,
      { input: { walletId: alice.walletId, amount: eur('3.00'), idempotencyKey: newKey() }, waitMs: 0 },
      alice.token,
    );
    expect(res.errors).toEqual([]);
    expect(res.data.withdraw).toMatchObject({ kind: 'WITHDRAWAL', status: 'PENDING', direction: 'OUT' });
    const command = (await h.ledgerCommands()).find((c) => c.operationId === res.data.withdraw.id);
    expect(command?.postings).toEqual([
      { account: `wallet:${alice.walletId}:available`, amount: '-300', currency: 'EUR' },
      { account: 'external:withdrawals:EUR', amount: '300', currency: 'EUR' },
    ]);
  });

  it('a transfer by email goes to the recipient’s default wallet', async () => {
    const res = await h.execute(
      TRANSFER,
      {
        input: {
          fromWalletId: alice.walletId,
          toEmail: bob.email.toUpperCase(),
          amount: eur('1.00'),
          idempotencyKey: newKey(),
        },
        waitMs: 0,
      },
      alice.token,
    );
    expect(res.errors).toEqual([]);
    expect(res.data.transfer).toMatchObject({
      kind: 'TRANSFER',
      status: 'PENDING',
      direction: 'OUT',
      wallet: { id: alice.walletId },
      // Not shown before the transfer COMPLETED: an email alone never names a wallet.
      counterpartyWallet: null,
    });
    // The ledger command says where the money goes.
    const command = (await h.ledgerCommands()).find((c) => c.operationId === res.data.transfer.id);
    expect(command?.postings).toEqual([
      { account: `wallet:${alice.walletId}:available`, amount: '-100', currency: 'EUR' },
      { account: `wallet:${bob.walletId}:available`, amount: '100', currency: 'EUR' },
    ]);
  });

  it('a transfer to a wallet id may go to another wallet of one’s own', async () => {
    const second = await h.openWallet(alice.userId, 'EUR');
    const res = await h.execute(
      TRANSFER,
      {
        input: {
          fromWalletId: alice.walletId,
          toWalletId: second,
          amount: eur('1'),
          idempotencyKey: newKey(),
        },
        waitMs: 0,
      },
      alice.token,
    );
    expect(res.errors).toEqual([]);
    // The other side shows once the transfer COMPLETED (settlement.test.ts), not while PENDING.
    expect(res.data.transfer).toMatchObject({ status: 'PENDING', counterpartyWallet: null });
  });

  it.each<[string, () => Promise<Record<string, string>>, string]>([
    ['an unknown email', async () => ({ toEmail: 'nobody@example.com' }), 'RECIPIENT_NOT_FOUND'],
    ['an unknown wallet', async () => ({ toWalletId: uuidv7() }), 'RECIPIENT_NOT_FOUND'],
    ['an id that is no wallet id', async () => ({ toWalletId: 'not-a-wallet-id' }), 'RECIPIENT_NOT_FOUND'],
    [
      'a wallet in another currency',
      async () => ({ toWalletId: await h.openWallet(bob.userId, 'USD') }),
      'CURRENCY_MISMATCH',
    ],
    [
      'an archived wallet',
      async () => {
        const archived = await h.openWallet(bob.userId, 'EUR');
        await h.archiveWallet(bob.userId, archived);
        return { toWalletId: archived };
      },
      'WALLET_ARCHIVED',
    ],
  ])('a transfer to %s is FAILED at once, with no ledger command', async (_, recipient, failureCode) => {
    const to = await recipient();
    const commandsBefore = (await h.ledgerCommands()).length;
    const input = { fromWalletId: alice.walletId, amount: eur('1'), idempotencyKey: newKey(), ...to };
    const res = await h.execute(TRANSFER, { input }, alice.token);
    expect(res.errors).toEqual([]);
    expect(res.data.transfer).toMatchObject({
      status: 'FAILED',
      failureCode,
      counterpartyWallet: null,
      settledAt: expect.any(String),
    });
    expect((await h.ledgerCommands()).length).toBe(commandsBefore);
    expect((await h.settledEvents()).find((e) => e.operationId === res.data.transfer.id)).toMatchObject({
      status: 'FAILED',
      failureCode,
    });
    // The key keeps its answer.
    const again = await h.execute(TRANSFER, { input }, alice.token);
    expect(again.data.transfer).toEqual(res.data.transfer);
  });
});

describe('validation: a refused request leaves no operation and no message behind', () => {
  const base = () => ({ walletId: alice.walletId, amount: eur('1.00'), idempotencyKey: newKey() });
  const transferBase = () => ({
    fromWalletId: alice.walletId,
    toWalletId: bob.walletId,
    amount: eur('1.00'),
    idempotencyKey: newKey(),
  });

  const cases: {
    title: string;
    run: () => Promise<Record<string, unknown>>;
    code: string;
    field?: string;
  }[] = [
    {
      title: 'zero amount',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), amount: eur('0') } }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'input.amount.amount',
    },
    {
      title: 'more decimals than the currency has',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), amount: eur('1.005') } }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'input.amount.amount',
    },
    {
      title: 'an unknown currency',
      run: async () =>
        onlyError(
          await h.execute(
            DEPOSIT,
            { input: { ...base(), amount: { amount: '1', currency: 'ZZZ' } } },
            alice.token,
          ),
        ),
      code: 'BAD_USER_INPUT',
      field: 'input.amount.currency',
    },
    {
      title: 'another currency than the wallet’s',
      run: async () =>
        onlyError(
          await h.execute(
            WITHDRAW,
            { input: { ...base(), amount: { amount: '1', currency: 'USD' } } },
            alice.token,
          ),
        ),
      code: 'CURRENCY_MISMATCH',
      field: 'input.amount.currency',
    },
    {
      title: 'a note of 281 characters',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), note: 'n'.repeat(281) } }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'input.note',
    },
    {
      title: 'an empty idempotency key',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), idempotencyKey: '' } }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'input.idempotencyKey',
    },
    {
      title: 'an idempotency key of 101 characters',
      run: async () =>
        onlyError(
          await h.execute(DEPOSIT, { input: { ...base(), idempotencyKey: 'k'.repeat(101) } }, alice.token),
        ),
      code: 'BAD_USER_INPUT',
      field: 'input.idempotencyKey',
    },
    {
      title: 'waitMs above 10 s',
      run: async () => onlyError(await h.execute(DEPOSIT, { input: base(), waitMs: 10_001 }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'waitMs',
    },
    {
      title: 'negative waitMs',
      run: async () => onlyError(await h.execute(WITHDRAW, { input: base(), waitMs: -1 }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'waitMs',
    },
    {
      title: 'another user’s wallet',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), walletId: bob.walletId } }, alice.token)),
      code: 'NOT_FOUND',
      field: 'input.walletId',
    },
    {
      title: 'an unknown wallet',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), walletId: uuidv7() } }, alice.token)),
      code: 'NOT_FOUND',
      field: 'input.walletId',
    },
    {
      title: 'a wallet id that is no UUID',
      run: async () =>
        onlyError(await h.execute(DEPOSIT, { input: { ...base(), walletId: 'main' } }, alice.token)),
      code: 'NOT_FOUND',
      field: 'input.walletId',
    },
    {
      title: 'no signed-in user',
      run: async () => onlyError(await h.execute(DEPOSIT, { input: base() })),
      code: 'UNAUTHENTICATED',
    },
    {
      title: 'a transfer naming both a wallet and an email',
      run: async () =>
        onlyError(
          await h.execute(TRANSFER, { input: { ...transferBase(), toEmail: bob.email } }, alice.token),
        ),
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    },
    {
      title: 'a transfer naming no recipient',
      run: async () =>
        onlyError(await h.execute(TRANSFER, { input: { ...transferBase(), toWalletId: null } }, alice.token)),
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    },
    {
      title: 'a transfer to the same wallet',
      run: async () =>
        onlyError(
          await h.execute(
            TRANSFER,
            { input: { ...transferBase(), toWalletId: alice.walletId } },
            alice.token,
          ),
        ),
      code: 'BAD_USER_INPUT',
      field: 'input.toWalletId',
    },
    {
      title: 'a transfer to one’s own email (the same default wallet)',
      run: async () =>
        onlyError(
          await h.execute(
            TRANSFER,
            { input: { ...transferBase(), toWalletId: null, toEmail: alice.email } },
            alice.token,
          ),
        ),
      code: 'BAD_USER_INPUT',
      field: 'input.toEmail',
    },
    {
      title: 'a transfer from another user’s wallet',
      run: async () =>
        onlyError(
          await h.execute(
            TRANSFER,
            { input: { ...transferBase(), fromWalletId: bob.walletId, toWalletId: alice.walletId } },
            alice.token,
          ),
        ),
      code: 'NOT_FOUND',
      field: 'input.fromWalletId',
    },
  ];

  it.each(cases)('$title → $code', async (c) => {
    const before = { operations: await h.count(operations), outbox: await h.count(outbox) };
    const error = await c.run();
    expect(error.code).toBe(c.code);
    if (c.field) expect(error.field).toBe(c.field);
    expect({ operations: await h.count(operations), outbox: await h.count(outbox) }).toEqual(before);
  });

  it('an archived wallet accepts no operations: WALLET_ARCHIVED', async () => {
    const wallet = await h.openWallet(alice.userId, 'EUR');
    await h.archiveWallet(alice.userId, wallet);
    const before = await h.count(operations);
    const error = onlyError(
      await h.execute(DEPOSIT, { input: { ...base(), walletId: wallet } }, alice.token),
    );
    expect(error).toMatchObject({ code: 'WALLET_ARCHIVED', field: 'input.walletId' });
    expect(await h.count(operations)).toBe(before);
  });
});

describe('idempotency', () => {
  it('a retry with the same key and request returns the same operation and sends nothing more', async () => {
    const key = newKey();
    const input = (amount: string) => ({
      walletId: alice.walletId,
      amount: eur(amount),
      idempotencyKey: key,
    });
    const first = await h.execute(DEPOSIT, { input: input('10'), waitMs: 0 }, alice.token);
    const commands = (await h.ledgerCommands()).length;
    const retry = await h.execute(DEPOSIT, { input: input('10.00'), waitMs: 0 }, alice.token);
    expect(retry.errors).toEqual([]);
    expect(retry.data.deposit).toEqual(first.data.deposit);
    expect(await operationsWithKey(h, alice.userId, key)).toHaveLength(1);
    expect((await h.ledgerCommands()).length).toBe(commands);
  });

  it('the same key with another request is IDEMPOTENCY_KEY_REUSED, and moves nothing', async () => {
    const key = newKey();
    await h.execute(
      DEPOSIT,
      { input: { walletId: alice.walletId, amount: eur('10'), idempotencyKey: key }, waitMs: 0 },
      alice.token,
    );
    const before = { operations: await h.count(operations), outbox: await h.count(outbox) };
    const reuses = [
      h.execute(
        DEPOSIT,
        { input: { walletId: alice.walletId, amount: eur('11'), idempotencyKey: key } },
        alice.token,
      ),
      h.execute(
        DEPOSIT,
        { input: { walletId: alice.walletId, amount: eur('10'), idempotencyKey: key, note: 'other' } },
        alice.token,
      ),
      h.execute(
        WITHDRAW,
        { input: { walletId: alice.walletId, amount: eur('10'), idempotencyKey: key } },
        alice.token,
      ),
    ];
    for (const res of await Promise.all(reuses)) {
      expect(onlyError(res)).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'input.idempotencyKey' });
    }
    expect({ operations: await h.count(operations), outbox: await h.count(outbox) }).toEqual(before);
  });

  it('keys are per user: two users’ equal keys are two operations', async () => {
    const key = newKey();
    const a = await h.execute(
      DEPOSIT,
      { input: { walletId: alice.walletId, amount: eur('1'), idempotencyKey: key }, waitMs: 0 },
      alice.token,
    );
    const b = await h.execute(
      DEPOSIT,
      { input: { walletId: bob.walletId, amount: eur('1'), idempotencyKey: key }, waitMs: 0 },
      bob.token,
    );
    expect(a.errors).toEqual([]);
    expect(b.errors).toEqual([]);
    expect(a.data.deposit.id).not.toBe(b.data.deposit.id);
  });

  it('concurrent requests with one key make one operation and one command, and all answer it', async () => {
    const key = newKey();
    const input = { walletId: alice.walletId, amount: eur('7.00'), idempotencyKey: key };
    const results = await Promise.all(
      Array.from({ length: 12 }, () => h.execute(DEPOSIT, { input, waitMs: 0 }, alice.token)),
    );
    for (const res of results) expect(res.errors).toEqual([]);
    const ids = new Set(results.map((r) => r.data.deposit.id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    expect(await operationsWithKey(h, alice.userId, key)).toHaveLength(1);
    expect((await h.ledgerCommands()).filter((c) => c.operationId === id)).toHaveLength(1);
  });

  it('concurrent requests with one key and different input: one operation, the rest refused', async () => {
    const key = newKey();
    const results = await Promise.all(
      ['1', '2', '3', '4', '5', '6'].map((amount) =>
        h.execute(
          DEPOSIT,
          { input: { walletId: alice.walletId, amount: eur(amount), idempotencyKey: key }, waitMs: 0 },
          alice.token,
        ),
      ),
    );
    const created = results.filter((r) => r.errors.length === 0);
    expect(created).toHaveLength(1);
    for (const res of results.filter((r) => r.errors.length > 0)) {
      expect(onlyError(res).code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(await operationsWithKey(h, alice.userId, key)).toHaveLength(1);
  });
});

describe('waiting for settlement', () => {
  it('returns as soon as the ledger answers, well before waitMs', async () => {
    const key = newKey();
    const started = Date.now();
    const pending = h.execute(
      DEPOSIT,
      { input: { walletId: alice.walletId, amount: eur('4.20'), idempotencyKey: key }, waitMs: 8000 },
      alice.token,
    );
    const [row] = (await waitForOperation(alice.userId, key)) as [OperationRow];
    await h.deliver(h.ledgerAnswer(row.id, { posted: true }));
    const res = await pending;
    expect(res.errors).toEqual([]);
    expect(res.data.deposit).toMatchObject({
      id: row.id,
      status: 'COMPLETED',
      settledAt: expect.any(String),
    });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('returns the operation still PENDING when waitMs runs out first', async () => {
    const started = Date.now();
    const res = await h.execute(
      DEPOSIT,
      { input: { walletId: alice.walletId, amount: eur('1'), idempotencyKey: newKey() }, waitMs: 300 },
      alice.token,
    );
    expect(res.data.deposit.status).toBe('PENDING');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('a retry of a pending operation waits for its settlement too', async () => {
    const key = newKey();
    const input = { walletId: alice.walletId, amount: eur('2'), idempotencyKey: key };
    const first = await h.execute(WITHDRAW, { input, waitMs: 0 }, alice.token);
    const retry = h.execute(WITHDRAW, { input, waitMs: 8000 }, alice.token);
    await h.deliver(h.ledgerAnswer(first.data.withdraw.id, { rejected: 'INSUFFICIENT_FUNDS' }));
    expect((await retry).data.withdraw).toMatchObject({
      id: first.data.withdraw.id,
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
    });
  });
});

/** The operation a request with this key made, once its transaction has committed. */
function waitForOperation(ownerId: string, key: string) {
  return waitFor(`an operation with key ${key}`, async () => {
    const rows = await operationsWithKey(h, ownerId, key);
    return rows.length > 0 ? rows : undefined;
  });
}
