import { amongJsonRowIds, insertJsonRows, jsonText } from '@walletgraph/platform/db/json-rows';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { LedgerTx } from './context.ts';
import { type AccountRow, accounts, journalEntries, ledgerCommands, postings } from './db/schema.ts';
import type { LedgerAccount } from './domain/accounts.ts';
import type { LedgerCommand } from './domain/command.ts';
import type { BookedPosting, StoredResult } from './domain/posting.ts';
import type { RejectionReason } from './domain/rejection.ts';

/**
 * The SQL of the posting transaction: every read and write is one set-based statement for the
 * whole batch, whatever its size, so a batch costs a handful of round trips and one commit.
 */

/** An entry as `ledger.posted.v1` describes it. */
export interface PostedEntry {
  entryId: string;
  sequence: bigint;
  operationId: string | null;
  postings: BookedPosting[];
  walletIds: string[];
}

/** A new entry to write: a posted command (post or sweep) with its id and place in the journal. */
export interface NewEntry {
  id: string;
  sequence: bigint;
  command: LedgerCommand;
  postings: readonly BookedPosting[];
}

/** A key's result to record. */
export type NewResult = { key: string; requestHash: string; operationId: string | null } & (
  | { outcome: 'POSTED'; entryId: string }
  | { outcome: 'REJECTED'; reason: RejectionReason; detail: string }
);

/** Thrown when an account this batch meant to open was opened by a concurrent batch: retry. */
export class AccountRaceError extends Error {
  override name = 'AccountRaceError';
}

export function toLedgerAccount(row: AccountRow): LedgerAccount {
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    walletId: row.walletId,
    ownerId: row.ownerId,
    balance: row.balance,
    closed: row.closedAt !== null,
  };
}

/** What the keys decided in earlier transactions. */
export async function storedResults(
  tx: LedgerTx,
  keys: readonly string[],
): Promise<Map<string, StoredResult>> {
  if (keys.length === 0) return new Map();
  const rows = await tx
    .select()
    .from(ledgerCommands)
    .where(inArray(ledgerCommands.idempotencyKey, [...keys]));
  return new Map(
    rows.map((r): [string, StoredResult] => [
      r.idempotencyKey,
      r.outcome === 'POSTED'
        ? { outcome: 'POSTED', requestHash: r.requestHash, entryId: r.entryId! }
        : { outcome: 'REJECTED', requestHash: r.requestHash, reason: r.reason!, detail: r.detail ?? '' },
    ]),
  );
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
 * `n` journal sequence numbers, ascending, from the column's own sequence; the caller hands them
 * out in decision order, so within a batch the journal's order is the order it was decided in.
 */
export async function allocateSequences(tx: LedgerTx, n: number): Promise<bigint[]> {
  if (n === 0) return [];
  const result = await tx.execute(sql`
    select nextval(pg_get_serial_sequence('journal_entries', 'sequence'))::text as seq
    from generate_series(1, ${n})`);
  return rowsOf<{ seq: string }>(result)
    .map((r) => BigInt(r.seq))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Creates the accounts first used by this batch: holds with their balance after the batch, and
 * external accounts (which may exist already; their balance column stays 0). In id order, like
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
      })),
    )
    .onConflictDoNothing()
    .returning({ id: accounts.id });
  const created = new Set(inserted.map((r) => r.id));
  const raced = sorted.filter((a) => a.kind !== 'EXTERNAL' && !created.has(a.id)).map((a) => a.id);
  if (raced.length > 0) throw new AccountRaceError(`accounts opened concurrently: ${raced.join(', ')}`);
}

/**
 * Writes the new entries and all their postings: two inserts, each with the batch's rows as one
 * jsonb parameter (`insertJsonRows`), so their texts, and prepared statements, are the same
 * for a batch of any size.
 */
export async function insertEntries(tx: LedgerTx, entries: readonly NewEntry[]): Promise<void> {
  if (entries.length === 0) return;
  // Issued together: pipelined, the entries first (the postings reference them).
  const written = tx.execute(
    insertJsonRows(
      journalEntries,
      entries.map((e) => ({
        id: e.id,
        sequence: e.sequence,
        idempotencyKey: e.command.idempotencyKey,
        requestHash: e.command.requestHash,
        operationId: e.command.operationId,
        description: e.command.description,
      })),
    ),
  );
  // One statement for every posting of the batch: the balance trigger checks per statement.
  const posted = tx.execute(
    insertJsonRows(
      postings,
      entries.flatMap((e) =>
        e.postings.map((p, line) => ({
          entryId: e.id,
          line,
          sequence: e.sequence,
          accountId: p.account,
          amount: p.amount,
          currency: p.currency,
          balanceAfter: p.balanceAfter,
        })),
      ),
    ),
  );
  await Promise.all([written, posted]);
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

export async function recordResults(tx: LedgerTx, results: readonly NewResult[]): Promise<void> {
  if (results.length === 0) return;
  await tx.execute(
    insertJsonRows(
      ledgerCommands,
      results.map((r) => ({
        idempotencyKey: r.key,
        requestHash: r.requestHash,
        outcome: r.outcome,
        operationId: r.operationId,
        // Every row gives the same columns (insertJsonRows): those of the other outcome are null.
        entryId: r.outcome === 'POSTED' ? r.entryId : null,
        reason: r.outcome === 'POSTED' ? null : r.reason,
        detail: r.outcome === 'POSTED' ? null : r.detail,
      })),
    ),
  );
}

/** Stored entries with their postings, as `ledger.posted.v1` describes them (for replays). */
export async function loadEntries(
  tx: LedgerTx,
  entryIds: readonly string[],
): Promise<Map<string, PostedEntry>> {
  if (entryIds.length === 0) return new Map();
  const rows = await tx
    .select({
      entryId: journalEntries.id,
      sequence: journalEntries.sequence,
      operationId: journalEntries.operationId,
      account: postings.accountId,
      amount: postings.amount,
      currency: postings.currency,
      balanceAfter: postings.balanceAfter,
      walletId: accounts.walletId,
    })
    .from(postings)
    .innerJoin(journalEntries, eq(journalEntries.id, postings.entryId))
    .leftJoin(accounts, eq(accounts.id, postings.accountId))
    .where(inArray(postings.entryId, [...entryIds]))
    .orderBy(asc(postings.entryId), asc(postings.line));
  const entries = new Map<string, PostedEntry>();
  for (const r of rows) {
    let entry = entries.get(r.entryId);
    if (!entry) {
      entry = {
        entryId: r.entryId,
        sequence: r.sequence,
        operationId: r.operationId,
        postings: [],
        walletIds: [],
      };
      entries.set(r.entryId, entry);
    }
    entry.postings.push({
      account: r.account,
      amount: r.amount,
      currency: r.currency,
      balanceAfter: r.balanceAfter,
    });
    if (r.walletId && !entry.walletIds.includes(r.walletId)) entry.walletIds.push(r.walletId);
  }
  return entries;
}
