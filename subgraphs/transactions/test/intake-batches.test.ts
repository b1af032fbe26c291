import { createEvent, uuidv7 } from '@walletgraph/events';
import type { Logger } from '@walletgraph/platform/logger';
import { describe, expect, it } from 'vitest';
import { type NewOperationRow, operations, outbox } from '../db/schema.ts';
import { createIntakeBatches } from '../intake-batches.ts';
import { operationRow } from './fixtures.ts';
import { DEPOSIT, eur, newKey, onlyError, operationsWithKey, TRANSFER } from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

const h = useTransactionsHarness();
const alice = useUser(h);
const bob = useUser(h);

describe('concurrent requests share the intake’s statements', () => {
  it('each request gets its own operation and command, whatever else its batch held', async () => {
    const bobUsd = await h.openWallet(bob.userId, 'USD');
    // Deposits and transfers both ways, all at once; one transfer to a USD wallet fails at once.
    const requests = Array.from({ length: 24 }, (_, i) => {
      const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice];
      const kind = i % 3 === 0 ? ('DEPOSIT' as const) : ('TRANSFER' as const);
      const toWalletId = i === 4 ? bobUsd : to.walletId;
      return { from, kind, toWalletId, amount: `${i + 1}.00`, key: newKey() };
    });
    const results = await Promise.all(
      requests.map(({ from, kind, toWalletId, amount, key }) =>
        kind === 'DEPOSIT'
          ? h.execute(
              DEPOSIT,
              { input: { walletId: from.walletId, amount: eur(amount), idempotencyKey: key }, waitMs: 0 },
              from.token,
            )
          : h.execute(
              TRANSFER,
              {
                input: { fromWalletId: from.walletId, toWalletId, amount: eur(amount), idempotencyKey: key },
                waitMs: 0,
              },
              from.token,
            ),
      ),
    );

    const commands = await h.ledgerCommands();
    for (const [i, r] of requests.entries()) {
      const res = results[i]!;
      expect(res.errors).toEqual([]);
      const op = (r.kind === 'DEPOSIT' ? res.data.deposit : res.data.transfer) as {
        id: string;
        status: string;
      };
      expect(op).toMatchObject({
        idempotencyKey: r.key,
        amount: { amount: r.amount },
        wallet: { id: r.from.walletId },
      });
      expect((await operationsWithKey(h, r.from.userId, r.key)).map((row) => row.id)).toEqual([op.id]);
      const own = commands.filter((c) => c.operationId === op.id);
      if (r.toWalletId === bobUsd) {
        expect(op).toMatchObject({ status: 'FAILED', failureCode: 'CURRENCY_MISMATCH' });
        expect(own).toHaveLength(0);
        continue;
      }
      expect(op.status).toBe('PENDING');
      expect(own).toHaveLength(1);
      const credited = r.kind === 'DEPOSIT' ? r.from.walletId : r.toWalletId;
      expect(own[0]!.postings).toContainEqual({
        account: `wallet:${credited}:available`,
        amount: String((i + 1) * 100),
        currency: 'EUR',
      });
    }
  });

  it('a key used twice in one batch makes one operation; the other request is answered from it or refused', async () => {
    const key = newKey();
    const [same, again, other] = await Promise.all([
      h.execute(
        DEPOSIT,
        { input: { walletId: alice.walletId, amount: eur('5.00'), idempotencyKey: key }, waitMs: 0 },
        alice.token,
      ),
      h.execute(
        DEPOSIT,
        { input: { walletId: alice.walletId, amount: eur('5.00'), idempotencyKey: key }, waitMs: 0 },
        alice.token,
      ),
      h.execute(
        DEPOSIT,
        { input: { walletId: alice.walletId, amount: eur('6.00'), idempotencyKey: key }, waitMs: 0 },
        alice.token,
      ),
    ]);
    const answered = [same, again, other].filter((r) => r.errors.length === 0);
    const ids = new Set(answered.map((r) => r.data.deposit.id));
    expect(ids.size).toBe(1);
    for (const r of [same, again, other].filter((r) => r.errors.length > 0)) {
      expect(onlyError(r).code).toBe('IDEMPOTENCY_KEY_REUSED');
    }
    expect(await operationsWithKey(h, alice.userId, key)).toHaveLength(1);
    expect((await h.ledgerCommands()).filter((c) => ids.has(c.operationId))).toHaveLength(1);
  });

  it('a row that breaks its batch’s statement fails alone; the others commit with their events', async () => {
    const { db, services } = h.service;
    // The warning a failed batch logs tells that the three went as one statement.
    const warnings: unknown[] = [];
    const logger: Logger = Object.create(services.logger);
    logger.warn = ((fields: unknown, msg: string) =>
      void warnings.push({ ...(fields as object), msg })) as Logger['warn'];
    const intake = createIntakeBatches(db, logger);
    const row = (ownerId: string): NewOperationRow =>
      operationRow({
        id: uuidv7(),
        ownerId,
        walletId: alice.walletId,
        kind: 'DEPOSIT',
        amountMinor: 100n,
        idempotencyKey: newKey(),
        requestHash: 'h',
        createdAt: new Date(),
      });
    const announce = (op: NewOperationRow) =>
      createEvent(
        'ledger.post.v1',
        {
          aggregateId: op.id,
          data: {
            operationId: op.id,
            idempotencyKey: `op:${op.id}`,
            description: 'Deposit',
            postings: [
              { account: 'external:deposits:EUR', amount: '-100', currency: 'EUR' },
              { account: `wallet:${alice.walletId}:available`, amount: '100', currency: 'EUR' },
            ],
          },
        },
        { correlationId: 'intake-batches-test' },
      );
    const good = [row(alice.userId), row(alice.userId)];
    const bad = row('not-a-uuid');
    const outcomes = await Promise.allSettled(
      [good[0]!, bad, good[1]!].map((op) => intake.insert(op, announce(op))),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: true });
    expect(warnings).toMatchObject([
      { size: 3, msg: 'intake batch failed; running its requests one by one' },
    ]);

    const rows = await db.db.select({ id: operations.id }).from(operations);
    const ids = new Set(rows.map((r) => r.id));
    expect(good.every((op) => ids.has(op.id))).toBe(true);
    expect(ids.has(bad.id)).toBe(false);
    const events = await db.db.select({ envelope: outbox.envelope }).from(outbox);
    const announced = events.map((e) => (e.envelope as { aggregateId: string }).aggregateId);
    expect(good.every((op) => announced.includes(op.id))).toBe(true);
    expect(announced).not.toContain(bad.id);

    // The same key again (a retried request, with an operation id of its own): nothing inserted or announced.
    const retry = { ...good[0]!, id: uuidv7() };
    expect(await intake.insert(retry, announce(retry))).toBe(false);
    const again = await db.db.select({ envelope: outbox.envelope }).from(outbox);
    expect(again.length).toBe(events.length);
  });

  it('reads the wallets of many requests at once, each getting only those it named', async () => {
    const { db, services } = h.service;
    const intake = createIntakeBatches(db, services.logger);
    const [a, b, none] = await Promise.all([
      intake.wallets([alice.walletId]),
      intake.wallets([bob.walletId.toUpperCase(), alice.walletId]),
      intake.wallets([uuidv7()]),
    ]);
    expect(a.map((w) => w.walletId)).toEqual([alice.walletId]);
    expect(b.map((w) => w.walletId).sort()).toEqual([alice.walletId, bob.walletId].sort());
    expect(none).toEqual([]);
  });
});
