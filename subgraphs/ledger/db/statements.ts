import type { Executor } from '@walletgraph/platform/db/database';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { sql } from 'drizzle-orm';
import type { LedgerSchema } from '../context.ts';

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

/** Which page of a statement: entries strictly before `before` (a journal sequence), at most `limit`. */
export interface StatementPage {
  before: bigint | null;
  limit: number;
}

/** One wallet's statement page; see `readStatements`. */
export async function readStatement(
  db: Executor<LedgerSchema>,
  walletId: string,
  page: StatementPage,
): Promise<StatementLine[]> {
  return (await readStatements(db, [walletId], page)).get(walletId) ?? [];
}

/**
 * The same page of several wallets' statements, in one query: per wallet, its entries newest
 * first, strictly before `before` (a journal sequence), at most `limit`. Wallets without such
 * entries are absent from the map.
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
 * Every step is index-driven, per wallet (a lateral join over the wallets): its accounts
 * (accounts_wallet_idx), the page's sequences as the newest `limit` of each account merged
 * (postings_account_sequence_idx), entries by their unique sequence, postings by entry.
 */
export async function readStatements(
  db: Executor<LedgerSchema>,
  walletIds: readonly string[],
  page: StatementPage,
): Promise<Map<string, StatementLine[]>> {
  if (walletIds.length === 0) return new Map();
  const before = (page.before ?? 2n ** 63n - 1n).toString();
  const ids = sql.join(
    walletIds.map((id) => sql`${id}`),
    sql`, `,
  );
  const result = await db.execute(sql`
    with acc as not materialized (
      select id, wallet_id from accounts where kind in ('WALLET_AVAILABLE', 'JAR')
    )
    select
      w.n::int as wallet,
      e.id::text as entry_id,
      e.sequence::text as sequence,
      to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as occurred_at,
      e.description,
      e.operation_id::text as operation_id,
      (select sum(p.amount) from postings p
        where p.entry_id = e.id
          and p.account_id in (select id from acc where acc.wallet_id = w.wallet_id))::text as amount,
      (select coalesce(sum(last.balance_after), 0) from acc cross join lateral (
        select p.balance_after from postings p
        where p.account_id = acc.id and p.sequence <= e.sequence
        order by p.sequence desc
        limit 1) last
        where acc.wallet_id = w.wallet_id)::text as balance_after
    from unnest(array[${ids}]::uuid[]) with ordinality as w(wallet_id, n)
    cross join lateral (
      select distinct s.sequence
      from acc cross join lateral (
        select p.sequence from postings p
        where p.account_id = acc.id and p.sequence < ${before}::bigint
        order by p.sequence desc
        limit ${page.limit}::int
      ) s
      where acc.wallet_id = w.wallet_id
      order by s.sequence desc
      limit ${page.limit}::int
    ) seqs
    join journal_entries e on e.sequence = seqs.sequence
    order by w.n, e.sequence desc`);
  const rows = rowsOf<{
    /** 1-based position in `walletIds`: the map is keyed by the ids as given. */
    wallet: number;
    entry_id: string;
    sequence: string;
    occurred_at: string;
    description: string;
    operation_id: string | null;
    amount: string;
    balance_after: string;
  }>(result);
  const lines = new Map<string, StatementLine[]>();
  for (const r of rows) {
    const line: StatementLine = {
      entryId: r.entry_id,
      sequence: BigInt(r.sequence),
      occurredAt: r.occurred_at,
      description: r.description,
      operationId: r.operation_id,
      amount: BigInt(r.amount),
      balanceAfter: BigInt(r.balance_after),
    };
    const walletId = walletIds[Number(r.wallet) - 1]!;
    const list = lines.get(walletId);
    if (list) list.push(line);
    else lines.set(walletId, [line]);
  }
  return lines;
}
