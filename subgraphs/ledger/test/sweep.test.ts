import { randomUUID } from 'node:crypto';
import type { Event } from '@walletgraph/events';
import { outbox } from '@walletgraph/platform/db/tables';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts, ledgerCommands } from '../db/schema.ts';
import { checkLedger } from '../operator/invariants.ts';
import { replayLedgerResults } from '../operator/replay-results.ts';
import { deposit, newKey, sweepCommand, type TestWallet, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

describe('sweeping a jar back to available (real Postgres)', () => {
  const h = useLedgerHarness();

  const db = () => h.db.handle.db;
  const balancesOf = async (w: TestWallet) => {
    const rows = await db().select().from(accounts).where(eq(accounts.walletId, w.walletId));
    const of = (id: string) => rows.find((r) => r.id === id)?.balance;
    return { available: of(w.available), jar: of(w.jar) };
  };
  /** The result events the commands caused, in outbox order (their live notices aside: `h.notices()`). */
  const resultsOf = async (...commands: Event[]) => {
    const rows = await db().select().from(outbox).orderBy(outbox.seq);
    const ids = new Set(commands.map((c) => c.id));
    return rows
      .map((r) => r.envelope as Event)
      .filter((e) => e.causationId && ids.has(e.causationId) && e.type !== 'live.notices.v1');
  };
  /** A wallet with `inJar` allocated to its jar and `left` still available. */
  async function walletWith(inJar: bigint, left = 0n) {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, inJar + left));
    if (inJar > 0n) await h.apply(transfer(newKey(), w.available, w.jar, inJar));
    return w;
  }

  it('moves the jar’s whole balance to available and answers ledger.posted.v1 with the postings it made', async () => {
    const w = await walletWith(640n, 60n);
    const operationId = randomUUID();
    const sweep = sweepCommand(newKey(), w.jar, w.available, { operationId });
    const { results, notices } = await h.apply(sweep);

    expect(results).toMatchObject([{ status: 'POSTED', replayed: false }]);
    expect(await balancesOf(w)).toEqual({ available: 700n, jar: 0n });
    const [answer] = await resultsOf(sweep);
    expect(answer).toMatchObject({
      type: 'ledger.posted.v1',
      correlationId: sweep.correlationId,
      data: {
        idempotencyKey: sweep.data.idempotencyKey,
        operationId,
        postings: [
          { account: w.jar, amount: '-640', currency: 'EUR' },
          { account: w.available, amount: '640', currency: 'EUR' },
        ],
        walletIds: [w.walletId],
      },
    });
    expect(notices).toEqual([
      {
        ownerId: w.ownerId,
        walletId: w.walletId,
        entryId: expect.any(String),
        operationId,
        delta: 0n,
        currency: 'EUR',
      },
    ]);
  });

  it('asOf a moment moves what the jar held then less what left it since; money that came in after stays', async () => {
    const w = await walletWith(5_000n, 10_000n);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const asOf = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    // After the moment: 1,200 leaves the jar (a spend), 3,000 comes in (the new period's allocation).
    await h.apply(transfer(newKey(), w.jar, 'external:withdrawals:EUR', 1_200n));
    await h.apply(transfer(newKey(), w.available, w.jar, 3_000n));
    const sweep = sweepCommand(newKey(), w.jar, w.available, { asOf });
    expect((await h.apply(sweep)).results).toMatchObject([{ status: 'POSTED' }]);
    expect(await balancesOf(w)).toEqual({ available: 10_000n - 3_000n + 3_800n, jar: 3_000n });
    // Asked again, nothing moves; a second moment's sweep finds nothing of it left.
    expect((await h.apply(sweep)).results).toMatchObject([{ status: 'POSTED', replayed: true }]);
    const again = sweepCommand(newKey(), w.jar, w.available, { asOf });
    expect((await h.apply(again)).results).toMatchObject([{ status: 'REJECTED', reason: 'NOTHING_TO_MOVE' }]);
    expect(await balancesOf(w)).toEqual({ available: 10_800n, jar: 3_000n });
    expect((await checkLedger(db())).ok).toBe(true);
  });

  it('rejects NOTHING_TO_MOVE for an empty jar, records it, and answers a replay the same after money arrives', async () => {
    const w = await walletWith(0n, 100n);
    const sweep = sweepCommand(newKey(), w.jar, w.available);
    const first = await h.apply(sweep);
    expect(first.results).toMatchObject([{ status: 'REJECTED', reason: 'NOTHING_TO_MOVE', replayed: false }]);
    const [stored] = await db()
      .select()
      .from(ledgerCommands)
      .where(eq(ledgerCommands.idempotencyKey, sweep.data.idempotencyKey));
    expect(stored).toMatchObject({ outcome: 'REJECTED', reason: 'NOTHING_TO_MOVE' });

    await h.apply(transfer(newKey(), w.available, w.jar, 100n));
    const again = { ...sweep, id: randomUUID() };
    const replay = await h.apply(again);
    expect(replay.results).toEqual([{ ...first.results[0], replayed: true }]);
    expect(await balancesOf(w)).toEqual({ available: 0n, jar: 100n });
    const [original] = await resultsOf(sweep);
    const [replayed] = await resultsOf(again);
    expect(replayed).toMatchObject({ type: 'ledger.rejected.v1', data: original!.data });
  });

  it('returns the original entry for a replayed sweep, and refuses its key for another sweep or a post', async () => {
    const w = await walletWith(300n);
    const sweep = sweepCommand(newKey(), w.jar, w.available);
    const original = await h.apply(sweep);
    await h.apply(transfer(newKey(), w.available, w.jar, 120n));

    const again = { ...sweep, id: randomUUID() };
    const elsewhere = sweepCommand(sweep.data.idempotencyKey, w.jar, w.available, {
      operationId: randomUUID(),
    });
    const asPost = transfer(sweep.data.idempotencyKey, w.jar, w.available, 120n);
    const { results, notices } = await h.apply(again, elsewhere, asPost);

    expect(results[0]).toEqual({ ...original.results[0], replayed: true });
    expect(results.slice(1)).toMatchObject([
      { status: 'REJECTED', reason: 'IDEMPOTENCY_KEY_REUSED' },
      { status: 'REJECTED', reason: 'IDEMPOTENCY_KEY_REUSED' },
    ]);
    expect(notices).toEqual([]);
    expect(await balancesOf(w)).toEqual({ available: 180n, jar: 120n });
    const [first] = await resultsOf(sweep);
    const [replayed] = await resultsOf(again);
    expect(replayed!.data).toEqual(first!.data);
  });

  it('sweeps, in one batch, what the posts before it left in the jar', async () => {
    const w = await walletWith(100n, 400n);
    const sweep = sweepCommand(newKey(), w.jar, w.available);
    const { results } = await h.apply(
      transfer(newKey(), w.available, w.jar, 400n),
      sweep,
      transfer(newKey(), w.jar, 'external:biller:EUR', 1n),
    );
    expect(results.map((r) => (r.status === 'REJECTED' ? r.reason : r.status))).toEqual([
      'POSTED',
      'POSTED',
      'INSUFFICIENT_FUNDS',
    ]);
    expect((await resultsOf(sweep))[0]).toMatchObject({
      data: { postings: [{ amount: '-500' }, { amount: '500' }] },
    });
    expect(await balancesOf(w)).toEqual({ available: 500n, jar: 0n });
  });

  it('re-publishes stored sweep results, posted and rejected, when the ledger replays its answers', async () => {
    const posted = await walletWith(25n);
    const empty = await walletWith(0n);
    const sweeps = [
      sweepCommand(newKey('replay'), posted.jar, posted.available),
      sweepCommand(newKey('replay'), empty.jar, empty.available),
    ];
    await h.apply(...sweeps);
    const answers = await resultsOf(...sweeps);
    const keys = new Set(sweeps.map((s) => s.data.idempotencyKey));

    const before = await db().select({ seq: outbox.seq }).from(outbox);
    const report = await replayLedgerResults(db(), { correlationId: randomUUID() });
    const rows = await db().select().from(outbox).orderBy(outbox.seq);
    const replayed = rows
      .slice(before.length)
      .map((r) => r.envelope as Event)
      .filter((e) => 'idempotencyKey' in e.data && keys.has(e.data.idempotencyKey as string));

    expect(report.posted + report.rejected).toBe(rows.length - before.length);
    // The replay goes in key order, not the order the keys were decided in.
    const byKey = (events: Event[]) =>
      Object.fromEntries(
        events.map((e) => [(e.data as { idempotencyKey: string }).idempotencyKey, [e.type, e.data]]),
      );
    expect(replayed).toHaveLength(2);
    expect(byKey(replayed)).toEqual(byKey(answers));
  });

  it('leaves a ledger whose invariants all hold', async () => {
    expect((await checkLedger(db())).violations).toEqual([]);
  });
});
