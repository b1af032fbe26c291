import { randomUUID } from 'node:crypto';
import { createEvent, type Event } from '@walletgraph/events';
import { outbox } from '@walletgraph/platform/db/tables';
import { createHarness, messageOf } from '@walletgraph/platform/test/support/brokers';
import { startTestConsumer } from '@walletgraph/platform/test/support/consumers';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, inbox, journalEntries } from '../db/schema.ts';
import { accountId } from '../domain/accounts.ts';
import { consumers } from '../events.ts';
import { checkLedger } from '../operator/invariants.ts';
import { deposit, jarArchived, newKey, sweepCommand, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

describe('the ledger consumers over RabbitMQ', { timeout: 60_000 }, () => {
  const h = useLedgerHarness();
  const broker = useForSuite(() => createHarness('amqp'), { stopMs: 60_000 });
  let name: string;
  let accountsName: string;
  let stop: () => Promise<void>;

  beforeAll(async () => {
    const definition = consumers(h.services).find((c) => c.name === 'ledger.commands')!;
    const [consumer, accountsConsumer] = await Promise.all([
      startTestConsumer(broker, 'ledger-commands', {
        db: h.db.handle,
        batchHandlers: definition.batchHandlers!,
        // Smaller batches than production, so several are in flight at once.
        batch: { size: 8, lingerMs: 5 },
        prefetch: definition.prefetch!,
        // Enough backoff (3 s in all) for a deferred command to see its wallet open.
        retryDelaysMs: [50, 100, 200, 400, 800, 1600],
      }),
      startTestConsumer(broker, 'ledger-accounts', {
        db: h.db.handle,
        handlers: consumers(h.services).find((c) => c.name === 'ledger.accounts')!.handlers!,
        retryDelaysMs: [50, 100],
      }),
    ]);
    name = consumer.name;
    accountsName = accountsConsumer.name;
    stop = async () => {
      await Promise.all([consumer.stop(), accountsConsumer.stop()]);
    };
  }, 120_000);

  afterAll(async () => {
    await stop?.();
  }, 60_000);

  const publish = (...events: Event[]) => broker.broker.publish(events.map(messageOf));
  /** Result events caused by each command, by command id (their live notices aside: `h.notices()`). */
  const resultsFor = async (commands: Event[]) => {
    const rows = await h.db.handle.db.select().from(outbox);
    const events = rows.map((r) => r.envelope as Event).filter((e) => e.type !== 'live.notices.v1');
    return commands.map((c) => events.filter((e) => e.causationId === c.id));
  };

  it('posts commands in batches, answers each with one result event and notifies the owners after commit', async () => {
    const a = await h.openWallet();
    const b = await h.openWallet();
    // The deposit first, on its own: transfers of one burst may land in batches that commit in
    // any order, and one applied before the deposit would be refused for that reason alone.
    const funding = deposit(newKey(), a, 1000n);
    await publish(funding);
    await waitFor('the deposit to be answered', async () => (await resultsFor([funding]))[0]!.length === 1);
    const commands = [
      funding,
      ...Array.from({ length: 30 }, () => transfer(newKey(), a.available, b.available, 50n)),
    ];
    await publish(...commands.slice(1));

    const results = await waitFor('a result for every command', async () => {
      const r = await resultsFor(commands);
      return r.every((list) => list.length === 1) && r;
    });
    const types = results.map(([e]) => (e!.type === 'ledger.rejected.v1' ? e!.data.reason : e!.type));
    // Batches may commit in any order, but money never goes negative: 20 transfers fit in 1000.
    expect(types.filter((t) => t === 'ledger.posted.v1')).toHaveLength(21);
    expect(types.filter((t) => t === 'INSUFFICIENT_FUNDS')).toHaveLength(10);
    const [balanceA] = await h.db.handle.db.select().from(accounts).where(eq(accounts.id, a.available));
    expect(balanceA!.balance).toBe(0n);
    // Written to the outbox with the batches that made them: all there once every result is.
    const notices = (await h.notices()).filter((p) => p.userId === b.ownerId);
    expect(notices).toHaveLength(20);
    expect(notices[0]).toMatchObject({
      topic: 'balanceChanged',
      notice: { walletId: b.walletId, entryId: expect.any(String), operationId: null },
    });
  });

  it('moves money once for a key delivered many times at once, answering every delivery', async () => {
    const w = await h.openWallet();
    const originals = Array.from({ length: 10 }, () => deposit(newKey(), w, 10n));
    // Each command three times with fresh message ids (a producer retrying), all in flight together.
    const copies = originals.flatMap((c) => [c, { ...c, id: randomUUID() }, { ...c, id: randomUUID() }]);
    await publish(...copies);

    const results = await waitFor('a result for every delivery', async () => {
      const r = await resultsFor(copies);
      return r.every((list) => list.length === 1) && r;
    });
    expect(results.every(([e]) => e!.type === 'ledger.posted.v1')).toBe(true);
    const entryIds = new Set(results.map(([e]) => (e!.type === 'ledger.posted.v1' ? e!.data.entryId : '')));
    expect(entryIds.size).toBe(10);
    const [row] = await h.db.handle.db.select().from(accounts).where(eq(accounts.id, w.available));
    expect(row!.balance).toBe(100n);
  });

  it('sweeps a jar once for a sweep delivered many times beside posts, answering every delivery the same', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 1000n), transfer(newKey(), w.available, w.jar, 600n));
    const sweep = sweepCommand(newKey(), w.jar, w.available);
    const copies = [sweep, { ...sweep, id: randomUUID() }, { ...sweep, id: randomUUID() }];
    const posts = Array.from({ length: 5 }, () =>
      transfer(newKey(), w.available, 'external:biller:EUR', 10n),
    );
    await publish(copies[0]!, posts[0]!, copies[1]!, posts[1]!, posts[2]!, copies[2]!, posts[3]!, posts[4]!);

    const results = await waitFor('a result for every delivery', async () => {
      const r = await resultsFor([...copies, ...posts]);
      return r.every((list) => list.length === 1) && r.map(([e]) => e!);
    });
    expect(results.map((e) => e.type)).toEqual(Array(8).fill('ledger.posted.v1'));
    const answers = results.slice(0, 3).map((e) => e.data);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({ postings: [{ amount: '-600' }, { amount: '600' }] });
    const rows = await h.db.handle.db.select().from(accounts).where(eq(accounts.walletId, w.walletId));
    expect(rows.map((r) => [r.id, r.balance]).sort()).toEqual(
      [
        [w.available, 950n],
        [w.jar, 0n],
      ].sort(),
    );
  });

  it('archives a jar from the accounts queue once, however often jar_archived is delivered', async () => {
    const w = await h.openWallet();
    await h.apply(deposit(newKey(), w, 100n), transfer(newKey(), w.available, w.jar, 70n));
    const archived = jarArchived(w);
    const reissued = { ...archived, id: randomUUID() };
    await publish(archived, archived, reissued);

    const handled = async (id: string) =>
      (await h.db.handle.db.select().from(inbox).where(eq(inbox.messageId, id))).some(
        (r) => r.consumer === accountsName,
      );
    await waitFor(
      'both messages handled',
      async () => (await handled(archived.id)) && (await handled(reissued.id)),
    );
    const rows = await h.db.handle.db.select().from(accounts).where(eq(accounts.walletId, w.walletId));
    expect(rows.map((r) => [r.id, r.balance, r.closedAt !== null]).sort()).toEqual(
      [
        [w.available, 100n, false],
        [w.jar, 0n, true],
      ].sort(),
    );
    const entries = await h.db.handle.db
      .select()
      .from(journalEntries)
      .where(eq(journalEntries.idempotencyKey, `jar-archive:${w.jarId}`));
    expect(entries).toHaveLength(1);
    // The two ids are handled concurrently: whichever locks the jar first sweeps it, the other finds it closed.
    expect((await resultsFor([archived, reissued])).flat().map((e) => e.type)).toEqual(['ledger.posted.v1']);
    expect((await checkLedger(h.db.handle.db)).violations).toEqual([]);
  });

  it('defers a command whose wallet is not open yet, posts its batch neighbours, and posts it once the wallet opens', async () => {
    const w = await h.openWallet();
    const walletId = randomUUID();
    const ownerId = randomUUID();
    const early = transfer(newKey(), 'external:deposits:EUR', accountId.walletAvailable(walletId), 700n);
    const neighbours = Array.from({ length: 4 }, () => deposit(newKey(), w, 5n));
    await publish(neighbours[0]!, neighbours[1]!, early, neighbours[2]!, neighbours[3]!);

    await waitFor('the neighbours posted', async () =>
      (await resultsFor(neighbours)).every((list) => list.length === 1),
    );
    expect(await resultsFor([early])).toEqual([[]]);

    // The wallet.opened.v1 that was still on its way (another queue) arrives.
    const opened = createEvent(
      'wallet.opened.v1',
      { aggregateId: walletId, data: { walletId, ownerId, name: 'Late', currency: 'EUR', isDefault: true } },
      { correlationId: randomUUID() },
    );
    const accountsConsumer = consumers(h.services).find((c) => c.name === 'ledger.accounts')!;
    const open = accountsConsumer.handlers!['wallet.opened.v1']!;
    await h.db.handle.db.transaction((tx) => open(opened, tx, { afterCommit: () => {} }));

    const answer = await waitFor(
      'the early command answered',
      async () => (await resultsFor([early]))[0]![0],
    );
    expect(answer).toMatchObject({ type: 'ledger.posted.v1' });
    const [row] = await h.db.handle.db
      .select()
      .from(accounts)
      .where(eq(accounts.id, accountId.walletAvailable(walletId)));
    expect(row!.balance).toBe(700n);
    expect((await broker.deadLetters(name)).some((d) => d.id === early.id)).toBe(false);
  });

  it('dead-letters a command whose wallet never opens, after the last retry, without an answer', async () => {
    const never = transfer(newKey(), 'external:deposits:EUR', accountId.walletAvailable(randomUUID()), 1n);
    await publish(never);
    await waitFor('the command in the DLQ', async () =>
      (await broker.deadLetters(name)).some((d) => d.id === never.id),
    );
    expect(await resultsFor([never])).toEqual([[]]);
  });

  it('dead-letters a command the database cannot store, while its batch neighbours post', async () => {
    const w = await h.openWallet();
    const neighbours = Array.from({ length: 5 }, () => deposit(newKey(), w, 1n));
    const poison = deposit(newKey(), w, 1n);
    // Postgres text cannot hold a NUL byte: an error, not a business refusal.
    poison.data.description = 'bad\u0000description';
    await publish(neighbours[0]!, neighbours[1]!, poison, neighbours[2]!, neighbours[3]!, neighbours[4]!);

    await waitFor('the poison in the DLQ', async () =>
      (await broker.deadLetters(name)).some((d) => d.id === poison.id),
    );
    const results = await resultsFor(neighbours);
    expect(results.map((list) => list.map((e) => e.type))).toEqual(
      neighbours.map(() => ['ledger.posted.v1']),
    );
    const entries = await h.db.handle.db
      .select()
      .from(journalEntries)
      .where(eq(journalEntries.idempotencyKey, poison.data.idempotencyKey));
    expect(entries).toEqual([]);
    expect((await checkLedger(h.db.handle.db)).violations).toEqual([]);
  });

  it('decides commands in the order they were delivered, with the production batching', async () => {
    // Each withdrawal spends the deposit published just before it: decided out of order, one
    // would find the money not there yet and be refused.
    const definition = consumers(h.services).find((c) => c.name === 'ledger.commands')!;
    // Last in the file: the suite's own command consumer stops, so only this one decides.
    await stop();
    const consumer = await startTestConsumer(broker, 'ledger-commands-ordered', {
      db: h.db.handle,
      batchHandlers: definition.batchHandlers!,
      batch: definition.batch!,
      prefetch: definition.prefetch!,
      retryDelaysMs: [50, 100],
    });
    try {
      const w = await h.openWallet();
      const withdrawals = accountId.external('withdrawals', w.currency);
      const commands = Array.from({ length: 40 }, (_, i) =>
        i % 2 === 0 ? deposit(newKey(), w, 100n) : transfer(newKey(), w.available, withdrawals, 100n),
      );
      for (const command of commands) await publish(command);
      const results = await waitFor('every command answered', async () => {
        const r = await resultsFor(commands);
        return r.every((events) => events.length === 1) && r;
      });
      expect(results.map(([event]) => event!.type)).toEqual(commands.map(() => 'ledger.posted.v1'));
    } finally {
      await consumer.stop();
    }
  });
});
