import type { Executor } from '@walletgraph/platform/db/database';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { sql } from 'drizzle-orm';
import type { LedgerSchema } from './services.ts';

/** One statement line: an entry as the wallet saw it. */
export interface StatementLine {
  entryId: string;
  sequence: bigint;
  occurredAt: string;
  description: string;
  operationId: string | null;
  /** Signed sum of the entry's postings on the wallet's accounts (available and jars). */
  amount: bigint;
  /** The wallet's total (available + jars) right after the entry. */
  balanceAfter: bigint;
}

/**
 * The wallet's entries, newest first, strictly before `before` (a journal sequence), at most `limit`.
 *
 * `balanceAfter` comes from running balances stored at posting time, per account: each posting
 * carries its account's balance after the entry (the posting transaction knows it, having locked
 * the account). The wallet's total after entry s is the sum, over its few accounts, of each
 * account's last `balance_after` at or before s: a handful of index probes per line, however long
 * the wallet's history, where a window function would re-add the whole history for every page.
 * Per-wallet totals could not be stored the same way without locking every account of a wallet
 * for each posting; per account, the locks the batch already holds suffice. Entries touching
 * disjoint accounts commute, so summing per-account balances in sequence order gives the same
 * totals as replaying the journal in sequence order.
 *
 * Every step is index-driven: the page's sequences are the newest `limit` of each account merged
 * (postings_account_sequence_idx), entries by their unique sequence, postings by entry.
 */
export async function readStatement(
  db: Executor<LedgerSchema>,
  walletId: string,
  page: { before: bigint | null; limit: number },
): Promise<StatementLine[]> {
  const before = (page.before ?? 2n ** 63n - 1n).toString();
  const result = await db.execute(sql`
    with acc as (
      select id from accounts where wallet_id = ${walletId} and kind in ('WALLET_AVAILABLE', 'JAR')
    ),
    seqs as (
      select distinct s.sequence
      from acc cross join lateral (
        select p.sequence from postings p
        where p.account_id = acc.id and p.sequence < ${before}::bigint
        order by p.sequence desc
        limit ${page.limit}::int
      ) s
      order by s.sequence desc
      limit ${page.limit}::int
    )
    select
      e.id::text as entry_id,
      e.sequence::text as sequence,
      to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
      e.description,
      e.operation_id::text as operation_id,
      (select sum(p.amount) from postings p
        where p.entry_id = e.id and p.account_id in (select id from acc))::text as amount,
      (select coalesce(sum(last.balance_after), 0) from acc cross join lateral (
        select p.balance_after from postings p
        where p.account_id = acc.id and p.sequence <= e.sequence
        order by p.sequence desc
        limit 1) last)::text as balance_after
    from seqs join journal_entries e on e.sequence = seqs.sequence
    order by e.sequence desc`);
  return rowsOf<{
    entry_id: string;
    sequence: string;
    occurred_at: string;
    description: string;
    operation_id: string | null;
    amount: string;
    balance_after: string;
  }>(result).map((r) => ({
    entryId: r.entry_id,
    sequence: BigInt(r.sequence),
    occurredAt: r.occurred_at,
    description: r.description,
    operationId: r.operation_id,
    amount: BigInt(r.amount),
    balanceAfter: BigInt(r.balance_after),
  }));
}
