import { amongJsonRowIds, jsonText } from '@walletgraph/platform/db/json-rows';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { LedgerTx } from '../context.ts';
import type { LedgerAccount } from '../domain/accounts.ts';
import { type AccountRow, accounts } from './schema.ts';

/**
 * The accounts table as the ledger's write transactions use it: rows locked FOR UPDATE in id
 * order before they are read, created when first named, their balances and closing dates stored.
 */

/** Thrown when an account this batch meant to open was opened by a concurrent batch: retry. */
export class AccountRaceError extends Error {
  override name = 'AccountRaceError';
}

/** An account row as the posting and closing rules read it. */
export function toLedgerAccount(row: AccountRow): LedgerAccount {
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    walletId: row.walletId,
    ownerId: row.ownerId,
    balance: row.balance,
    closed: row.closedAt !== null,
    expiresAt: row.expiresAt,
  };
}

/**
 * Locks the batch's non-external accounts with ONE statement, in id order. Every batch takes its
 * locks in the same global order, so concurrent batches wait for each other but can never
 * deadlock; and the rows are locked before they are read, so the balances the batch decides on
 * are the ones it overwrites. External accounts are never locked: they are not updated.
 */
export async function lockAccounts(
  tx: LedgerTx,
  ids: readonly string[],
): Promise<Map<string, LedgerAccount>> {
  if (ids.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(accounts)
    .where(inArray(accounts.id, [...ids]))
    .orderBy(asc(accounts.id))
    .for('update');
  return new Map(rows.map((r) => [r.id, toLedgerAccount(r)]));
}

/**
 * Creates the accounts first used by this batch: holds with their balance after the batch and
 * their expiry, and external accounts (which may exist already; their balance column stays 0). In id order, like
 * the locks. A hold that someone else created meanwhile was not locked and read by this batch,
 * so its balance here would be wrong: that is an AccountRaceError, and the batch is retried.
 */
export async function createAccounts(tx: LedgerTx, opened: readonly LedgerAccount[]): Promise<void> {
  if (opened.length === 0) return;
  const sorted = [...opened].sort((a, b) => (a.id < b.id ? -1 : 1));
  const inserted = await tx
    .insert(accounts)
    .values(
      sorted.map((a) => ({
        id: a.id,
        kind: a.kind,
        currency: a.currency,
        walletId: a.walletId,
        ownerId: a.ownerId,
        balance: a.kind === 'EXTERNAL' ? 0n : a.balance,
        expiresAt: a.expiresAt,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: accounts.id });
  const created = new Set(inserted.map((r) => r.id));
  const raced = sorted.filter((a) => a.kind !== 'EXTERNAL' && !created.has(a.id)).map((a) => a.id);
  if (raced.length > 0) throw new AccountRaceError(`accounts opened concurrently: ${raced.join(', ')}`);
}

/** Stores the batch's new balances with ONE `update … from` the balances as one jsonb parameter. */
export async function updateBalances(tx: LedgerTx, balances: ReadonlyMap<string, bigint>): Promise<void> {
  if (balances.size === 0) return;
  const values = jsonText([...balances].map(([id, balance]) => ({ id, balance })));
  await tx.execute(sql`
    update accounts set balance = v.balance
    from jsonb_to_recordset(${values}::jsonb) as v(id text, balance bigint)
    where accounts.id = v.id and ${amongJsonRowIds(sql`accounts.id`, values, 'text')}`);
}

/**
 * Thrown (so the broker retries) when a wallet's or jar's account is not open yet: the event
 * opening it is on its way.
 */
export class AccountNotOpenYetError extends Error {
  override name = 'AccountNotOpenYetError';
}

/**
 * Locks every account of a wallet (available and jars) FOR UPDATE, in id order: the order every
 * posting batch locks in, so a close and a batch wait for each other and never deadlock. A posting
 * batch that touches the wallet either committed before (and the close sees its balances) or
 * runs after (and sees the accounts closed: WALLET_ARCHIVED).
 */
export async function lockWalletAccounts(tx: LedgerTx, walletId: string): Promise<LedgerAccount[]> {
  const rows = await tx
    .select()
    .from(accounts)
    .where(eq(accounts.walletId, walletId))
    .orderBy(asc(accounts.id))
    .for('update');
  if (rows.length === 0) throw new AccountNotOpenYetError(`wallet ${walletId} is not open in the ledger yet`);
  return rows.map(toLedgerAccount);
}

/** Closes the accounts (postings to them are then refused); one already closed keeps its date. */
export async function closeAccounts(tx: LedgerTx, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .update(accounts)
    .set({ closedAt: at })
    .where(and(inArray(accounts.id, [...ids]), isNull(accounts.closedAt)));
}

/** Whether the wallet's available account is closed: a jar created after the close opens closed. */
export async function walletClosedAt(tx: LedgerTx, walletId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ closedAt: accounts.closedAt })
    .from(accounts)
    .where(and(eq(accounts.walletId, walletId), eq(accounts.kind, 'WALLET_AVAILABLE')));
  return row?.closedAt ?? null;
}
