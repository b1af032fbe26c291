import { randomBytes } from 'node:crypto';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  type Client,
  createClient,
  DepositDocument,
  MeDocument,
  OperationDocument,
  type OperationFieldsFragment,
  RegisterDocument,
  TransferDocument,
  VerifyEmailDocument,
  WalletOperationsDocument,
} from '@walletgraph/sdk';
import postgres from 'postgres';
import { expect } from 'vitest';
import type { TestStack } from './stack.ts';

/**
 * Money helpers for end-to-end tests against a real stack: people with a funded default wallet,
 * and operations followed until they settle. The books read back from the services' databases
 * are in books.ts.
 */

export interface Person {
  name: string;
  client: Client;
  /** The access token the client carries (for live updates over WebSocket). */
  token: string;
  email: string;
  walletId: string;
  /** The default wallet's currency: what `deposit` and `transfer` move. */
  currency: string;
}

export const newKey = (label = 'e2e') => `${label}-${randomBytes(8).toString('hex')}`;

/** Minor units of EUR as the API's decimal string: 1234n → "12.34". */
export function eurAmount(minor: bigint): string {
  const units = minor / 100n;
  const cents = (minor % 100n).toString().padStart(2, '0');
  return `${units}.${cents}`;
}

export const eur = (minor: bigint) => ({ amount: eurAmount(minor), currency: 'EUR' });

/** An amount of any two-decimal currency as the API takes it: `money(5000n, 'ZAR')` is R 50.00. */
export const money = (minor: bigint, currency: string) => ({ amount: eurAmount(minor), currency });

/**
 * Registers a new user called `name` (with a fresh email, their default wallet in `currency`) at
 * the gateway `url`: their email and what `register` answered. Nothing waits for their wallet
 * (`person` does).
 */
export async function register(url: string, name: string, currency = 'EUR') {
  const email = `${name}.${randomBytes(4).toString('hex')}@example.com`;
  const res = await createClient({ url }).request(RegisterDocument, {
    input: { email, password: 'correct horse battery staple 42', displayName: name, currency },
  });
  expect(res.errors).toBeUndefined();
  return { email, ...res.data!.register };
}

/**
 * Proves `email` as its owner does: reads the code identity mailed there out of the stack's
 * mail catcher and enters it with `verifyEmail`.
 */
export async function verifyEmail(stack: TestStack, token: string, email: string): Promise<void> {
  const mail = await stack.mail.waitFor(email, { timeoutMs: 30_000 });
  const code = /\b(\d{4}) (\d{4})\b/.exec(mail.text);
  if (!code) throw new Error(`no code in the mail to ${email}: ${mail.text}`);
  const res = await createClient({ url: stack.url, token }).request(VerifyEmailDocument, {
    code: `${code[1]}${code[2]}`,
  });
  expect(res.errors).toBeUndefined();
  expect(res.data?.verifyEmail.emailVerified).toBe(true);
}

/**
 * Registers someone, proves their email (so transfers by email reach them) and waits until every
 * subgraph knows their default wallet.
 */
export async function person(stack: TestStack, name: string, currency = 'EUR'): Promise<Person> {
  const { email, accessToken: token } = await register(stack.url, name, currency);
  await verifyEmail(stack, token, email);
  const client = createClient({ url: stack.url, token });
  const walletId = await waitFor(
    `${name}'s default wallet, Income jar and balance`,
    async () => {
      const me = await client.request(MeDocument);
      const wallet = me.data?.me?.defaultWallet;
      return !me.errors && wallet && wallet.jars.length > 0 ? wallet.id : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  await waitFor(`transactions to know ${name}`, () => knownToTransactions(stack, email, walletId), {
    timeoutMs: 30_000,
    intervalMs: 100,
  });
  return { name, client, token, email, walletId, currency };
}

async function knownToTransactions(stack: TestStack, email: string, walletId: string): Promise<boolean> {
  return withSql(stack.databases.transactions!, async (sql) => {
    const [row] = await sql`select
      exists (select 1 from user_emails where email = ${email}) and
      exists (select 1 from wallet_projection where wallet_id = ${walletId}) as known`;
    return row?.known === true;
  });
}

/**
 * Runs `read` again while the shared local Postgres refuses connections for being full (53300:
 * other test files and their stacks run beside this one), for at most 30 s.
 */
export async function whenPostgresHasRoom<T>(read: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if ((error as { code?: string }).code !== '53300' || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/** One connection to `url` for `use`, closed afterwards. */
export async function withSql<T>(url: string, use: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  return whenPostgresHasRoom(async () => {
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    try {
      return await use(sql);
    } finally {
      await sql.end({ timeout: 5 });
    }
  });
}

/** The operation once settled, followed through `operation(id)` as a client would. */
export async function settled(
  client: Client,
  op: Pick<OperationFieldsFragment, 'id' | 'status'>,
  timeoutMs = 60_000,
): Promise<OperationFieldsFragment> {
  if (op.status !== 'PENDING' && 'kind' in op) return op as OperationFieldsFragment;
  return waitFor(
    `operation ${op.id} to settle`,
    async () => {
      const res = await client.request(OperationDocument, { id: op.id });
      const current = res.data?.operation;
      return current && current.status !== 'PENDING' ? current : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

export async function deposit(
  p: Person,
  minor: bigint,
  idempotencyKey = newKey('deposit'),
  waitMs = 10_000,
): Promise<OperationFieldsFragment> {
  const res = await p.client.request(DepositDocument, {
    input: { walletId: p.walletId, amount: money(minor, p.currency), idempotencyKey },
    waitMs,
  });
  expect(res.errors).toBeUndefined();
  return res.data!.deposit;
}

export async function transfer(
  from: Person,
  to: Person,
  minor: bigint,
  idempotencyKey: string,
  waitMs = 10_000,
): Promise<OperationFieldsFragment> {
  const res = await from.client.request(TransferDocument, {
    input: {
      fromWalletId: from.walletId,
      toWalletId: to.walletId,
      amount: money(minor, from.currency),
      idempotencyKey,
    },
    waitMs,
  });
  expect(res.errors).toBeUndefined();
  return res.data!.transfer;
}

/** A wallet's total and available balance in minor units, read through the gateway. */
export async function balanceOf(p: Person): Promise<{ total: bigint; available: bigint }> {
  return waitFor(
    `${p.name}'s balance`,
    async () => {
      const res = await p.client.request(WalletOperationsDocument, { id: p.walletId, first: 1 });
      const balance = res.data?.wallet?.balance;
      if (res.errors || !balance) throw new Error(JSON.stringify(res.errors ?? res.data));
      return { total: BigInt(balance.total.minorUnits), available: BigInt(balance.available.minorUnits) };
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}

/** Runs `work` over `items` with at most `concurrency` in flight; results in item order. */
export async function pool<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await work(items[i]!, i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
