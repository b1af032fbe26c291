import { randomBytes } from 'node:crypto';
import { type FeedEntryMessage, feedChannel } from '@walletgraph/platform/live/feed';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  AllocateToJarDocument,
  ArchiveWalletDocument,
  type Client,
  createClient,
  DepositDocument,
  MeDocument,
  OperationDocument,
  WalletDocument,
  WalletJarsDocument,
  WithdrawDocument,
} from '@walletgraph/sdk';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../scripts/reconcile.ts';
import { userIdOf } from '../support/live.ts';
import { register } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Wallets through the gateway, in real mode: archiving asks the ledger, which closes the wallet's
 * accounts only when all are at zero; and `pnpm reconcile` re-settles what a lost ledger answer
 * left PENDING.
 */

const stack = useRealStack();

interface Person {
  client: Client;
  userId: string;
  walletId: string;
}

/** Messages published on a Redis channel from now on; unsubscribes on dispose. */
async function listen(channel: string): Promise<{ messages: string[] } & AsyncDisposable> {
  const redis = new Redis(stack.config.REDIS_URL!, { lazyConnect: true });
  await redis.connect();
  const messages: string[] = [];
  redis.on('message', (_channel: string, message: string) => messages.push(message));
  await redis.subscribe(channel);
  return { messages, [Symbol.asyncDispose]: async () => void (await redis.quit()) };
}

const key = () => `e2e-${randomBytes(6).toString('hex')}`;
const eur = (amount: string) => ({ amount, currency: 'EUR' });

async function query<T>(name: string, sql: (db: postgres.Sql) => Promise<T>): Promise<T> {
  const db = postgres(stack.databases[name]!, { max: 1, onnotice: () => {} });
  try {
    return await sql(db);
  } finally {
    await db.end();
  }
}

/** Registers someone and waits until the ledger and transactions know their default wallet. */
async function person(name: string): Promise<Person> {
  const { accessToken } = await register(stack.url, name);
  const client = createClient({ url: stack.url, token: accessToken });
  const walletId = await waitFor(
    `${name}'s default wallet and Income jar`,
    async () => {
      const me = await client.request(MeDocument);
      const wallet = me.data?.me?.defaultWallet;
      return !me.errors && wallet && wallet.jars.length > 0 ? wallet.id : undefined;
    },
    { timeoutMs: 20_000 },
  );
  await waitFor(
    `transactions to know ${name}'s wallet`,
    () =>
      query('transactions', async (db) => {
        const rows = await db`select 1 from wallet_projection where wallet_id = ${walletId}`;
        return rows.length === 1;
      }),
    { timeoutMs: 20_000 },
  );
  return { client, userId: userIdOf(accessToken), walletId };
}

async function deposit(p: Person, amount: string) {
  const res = await p.client.request(DepositDocument, {
    input: { walletId: p.walletId, amount: eur(amount), idempotencyKey: key() },
    waitMs: 10_000,
  });
  expect(res.errors).toBeUndefined();
  expect(res.data!.deposit.status).toBe('COMPLETED');
  return res.data!.deposit;
}

const codes = (res: { errors?: readonly { extensions?: Record<string, unknown> }[] }) =>
  res.errors?.map((e) => e.extensions?.code);

describe('archiving wallets, real mode', () => {
  it('archives a wallet whose total is zero; it then refuses deposits with WALLET_ARCHIVED', async () => {
    const ada = await person('ada');
    const archived = await ada.client.request(ArchiveWalletDocument, { id: ada.walletId });
    expect(archived.errors).toBeUndefined();
    expect(archived.data!.archiveWallet).toMatchObject({ id: ada.walletId, status: 'ARCHIVED' });
    // Archiving again is idempotent.
    const again = await ada.client.request(ArchiveWalletDocument, { id: ada.walletId });
    expect(again.data!.archiveWallet.status).toBe('ARCHIVED');

    // transactions learns of the archive from wallet.archived.v1.
    const refused = await waitFor(
      'a deposit refused as WALLET_ARCHIVED',
      async () => {
        const res = await ada.client.request(DepositDocument, {
          input: { walletId: ada.walletId, amount: eur('1.00'), idempotencyKey: key() },
          waitMs: 5000,
        });
        return codes(res)?.includes('WALLET_ARCHIVED') ? res : undefined;
      },
      { timeoutMs: 20_000 },
    );
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'WALLET_ARCHIVED' });
    const view = await ada.client.request(WalletDocument, { id: ada.walletId });
    expect(view.data!.wallet).toMatchObject({ status: 'ARCHIVED', balance: { total: { amount: '0.00' } } });
  });

  it('refuses WALLET_NOT_EMPTY while the wallet holds money, and it stays ACTIVE and usable', async () => {
    const bob = await person('bob');
    await deposit(bob, '12.34');
    const res = await bob.client.request(ArchiveWalletDocument, { id: bob.walletId });
    expect(codes(res)).toEqual(['WALLET_NOT_EMPTY']);
    const view = await bob.client.request(WalletDocument, { id: bob.walletId });
    expect(view.data!.wallet).toMatchObject({ status: 'ACTIVE', balance: { total: { amount: '12.34' } } });

    // Emptied, it archives.
    const out = await bob.client.request(WithdrawDocument, {
      input: { walletId: bob.walletId, amount: eur('12.34'), idempotencyKey: key() },
      waitMs: 10_000,
    });
    expect(out.data!.withdraw.status).toBe('COMPLETED');
    const archived = await bob.client.request(ArchiveWalletDocument, { id: bob.walletId });
    expect(archived.errors).toBeUndefined();
    expect(archived.data!.archiveWallet.status).toBe('ARCHIVED');
  });

  it('answers NOT_FOUND for another user’s wallet, as for an unknown id, and archives nothing', async () => {
    const [carol, mallory] = await Promise.all([person('carol'), person('mallory')]);
    const res = await mallory.client.request(ArchiveWalletDocument, { id: carol.walletId });
    expect(codes(res)).toEqual(['NOT_FOUND']);
    const unknown = await mallory.client.request(ArchiveWalletDocument, { id: crypto.randomUUID() });
    expect(unknown.errors?.map((e) => [e.message, e.extensions?.code])).toEqual(
      res.errors?.map((e) => [e.message, e.extensions?.code]),
    );
    const view = await carol.client.request(WalletDocument, { id: carol.walletId });
    expect(view.data!.wallet!.status).toBe('ACTIVE');
  });
});

describe('pnpm reconcile, real mode', () => {
  it('re-settles an operation whose settlement was lost, and reports it corrected', async () => {
    const dan = await person('dan');
    const op = await deposit(dan, '5.00');
    // A lost settlement: the ledger posted the entry, but transactions still has the operation PENDING.
    await query('transactions', (db) => db`update operations set status = 'PENDING' where id = ${op.id}`);

    const report = await reconcile(databases(), { waitMs: 20_000 });
    expect(report.published).toBe(true);
    expect(report.replayed.posted).toBeGreaterThanOrEqual(1);
    expect(report.operations).toMatchObject({ pendingBefore: 1, corrected: [op.id], stillPending: 0 });
    const after = await dan.client.request(OperationDocument, { id: op.id });
    expect(after.data!.operation).toMatchObject({ status: 'COMPLETED' });
  });

  it('corrects a settled operation that contradicts the ledger, and rebuilds a jar projection that lost an entry', async () => {
    const eve = await person('eve');
    const op = await deposit(eve, '9.00');
    const jars = await eve.client.request(WalletJarsDocument, { id: eve.walletId });
    const income = jars.data!.wallet!.jars[0]!;
    const moved = await eve.client.request(AllocateToJarDocument, {
      input: { jarId: income.id, amount: eur('4.00'), idempotencyKey: key() },
      waitMs: 10_000,
    });
    expect(moved.data!.allocateToJar.status).toBe('COMPLETED');
    const projected = () =>
      query('jars', (db) => db`select count(*)::int as n from jar_movements where jar_id = ${income.id}`);
    await waitFor('the allocation to be projected', async () =>
      (await projected())[0]!.n === 1 ? true : undefined,
    );
    // Drift: the deposit shown FAILED though the ledger posted it; the jar's movement lost.
    await query(
      'transactions',
      (db) =>
        db`update operations set status = 'FAILED', failure_code = 'INSUFFICIENT_FUNDS', ledger_entry_id = null where id = ${op.id}`,
    );
    await query('jars', (db) => db`delete from jar_movements where jar_id = ${income.id}`);
    // The deposit's own notice is in Eve's feed already; the correction's must come after it.
    const stored = await waitFor('the deposit’s own notice in Eve’s feed', async () => {
      const [row] = await query(
        'identity',
        (db) => db`select max(seq)::text as seq from live_feed
                   where user_id = ${eve.userId} and topic = 'operationUpdated' and object_id = ${op.id}`,
      );
      return row?.seq ? BigInt(row.seq) : undefined;
    });
    // Eve's live feed channel, as the gateway listens on it.
    await using listener = await listen(feedChannel(eve.userId));

    const report = await reconcile(databases(), { waitMs: 20_000 });
    expect(report.corrected.filter((c) => c.operationId === op.id)).toEqual([
      {
        operationId: op.id,
        was: { status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS', ledgerEntryId: null },
        now: { status: 'COMPLETED', failureCode: null, ledgerEntryId: expect.any(String) },
      },
    ]);
    // Told like any settlement, through her feed from the correcting transaction: an id-only
    // notice, for the gateway to read as the subscriber.
    const notice = await waitFor('the correction’s notice in Eve’s feed', async () =>
      listener.messages
        .map((m) => JSON.parse(m) as FeedEntryMessage)
        .find(
          (entry) =>
            entry.topic === 'operationUpdated' &&
            'id' in entry.notice &&
            entry.notice.id === op.id &&
            BigInt(entry.seq) > stored,
        ),
    );
    expect(notice).toEqual({
      seq: expect.stringMatching(/^\d+$/),
      topic: 'operationUpdated',
      notice: { v: 1, id: op.id },
      // When it was published, for the gateway's delivery latency (docs/metrics.md).
      at: expect.any(String),
    });
    expect(report.jars.before.filter((d) => d.jarId === income.id)).toEqual([
      { jarId: income.id, projected: 0n, ledger: 400n },
    ]);
    expect(report.jars.after).toEqual([]);
    const after = await eve.client.request(OperationDocument, { id: op.id });
    expect(after.data!.operation).toMatchObject({ status: 'COMPLETED', failureCode: null });
    // The correction is announced like a settlement: the first one, then the corrected one.
    const announced = await query(
      'transactions',
      (db) => db`select envelope->'data'->>'status' as status from outbox
                 where type = 'transactions.operation_settled.v1' and envelope->>'aggregateId' = ${op.id}
                 order by seq`,
    );
    expect(announced.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });
});

describe('pnpm reconcile and archiving, real mode', () => {
  it('asks the ledger again about an archive whose answer was lost, and the wallet ends ARCHIVED', async () => {
    const fay = await person('fay');
    const archived = await fay.client.request(ArchiveWalletDocument, { id: fay.walletId });
    expect(archived.data!.archiveWallet.status).toBe('ARCHIVED');
    // A lost answer: the ledger closed the accounts, but the wallet never heard.
    await query('wallet', async (db) => {
      await db`update archive_requests set status = 'PENDING', decided_at = null where wallet_id = ${fay.walletId}`;
      await db`update wallets set status = 'ACTIVE' where id = ${fay.walletId}`;
    });
    const [request] = await query(
      'wallet',
      (db) => db`select id from archive_requests where wallet_id = ${fay.walletId}`,
    );

    const report = await reconcile(databases(), { waitMs: 20_000 });
    expect(report.archives.pending).toContain(request!.id);
    expect(report.archives.decided).toContain(request!.id);
    const view = await fay.client.request(WalletDocument, { id: fay.walletId });
    expect(view.data!.wallet).toMatchObject({ status: 'ARCHIVED' });
  });
});

function databases() {
  const { ledger, transactions, jars, wallet } = stack.databases;
  return { ledger: ledger!, transactions: transactions!, jars: jars!, wallet: wallet! };
}
