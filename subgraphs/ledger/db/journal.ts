import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { LedgerTx } from '../context.ts';
import type { LedgerCommand } from '../domain/command.ts';
import type { BookedPosting, StoredResult } from '../domain/posting.ts';
import type { RejectionReason } from '../domain/rejection.ts';
import { accounts, journalEntries, ledgerCommands, postings } from './schema.ts';

/**
 * The journal's SQL in the posting transaction (entries, postings, each key's result; the accounts
 * are accounts.ts): every read and write is one set-based statement for the whole batch, whatever
 * its size, so a batch costs a handful of round trips and one commit.
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
