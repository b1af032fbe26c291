import type { Executor } from '@walletgraph/platform/db/database';
import { requestLoader } from '@walletgraph/platform/request-loader';
import type { LedgerContext, LedgerSchema } from '../context.ts';
import { readWalletAccounts } from './account-reads.ts';
import type { AccountRow } from './schema.ts';
import { readStatements, type StatementLine, type StatementPage } from './statements.ts';

/**
 * What one request reads of its wallets' money: their balance accounts and their statement pages.
 *
 * Fields that must agree come from one snapshot. A balance and the statement beside it resolve
 * concurrently; read on two pool connections, each at its own moment, a posting committed between
 * the two reads would show on the statement and not in the balance (or the reverse). So every
 * such read of a request goes through ONE loader: a batch that needs one query runs it alone (a
 * single statement sees a single snapshot); a batch that needs several runs them in one
 * `repeatable read, read only` transaction, so they all see the same committed postings.
 *
 * The snapshot is one subgraph request's. A client's query may need the ledger twice (a jar's
 * balance is fetched after the jars subgraph listed the wallet's jars, while the wallet's own
 * balance is fetched beside that list): those fetches read at their own moments, in either
 * order, so a jar's balance and the wallet's `allocated` in one response may straddle a posting.
 */
type WalletRead = { walletId: string } & ({ kind: 'accounts' } | { kind: 'statement'; page: StatementPage });
type WalletReadResult = AccountRow[] | StatementLine[];

/** The wallet's available and jar accounts, in the same snapshot as its statement pages. */
export function loadWalletAccounts(ctx: LedgerContext, walletId: string): Promise<AccountRow[]> {
  return loaderFor(ctx).load({ walletId, kind: 'accounts' }) as Promise<AccountRow[]>;
}

/** The wallet's statement page, in the same snapshot as its balance. */
export function loadStatement(
  ctx: LedgerContext,
  walletId: string,
  page: StatementPage,
): Promise<StatementLine[]> {
  return loaderFor(ctx).load({ walletId, kind: 'statement', page }) as Promise<StatementLine[]>;
}

const pageKey = (page: StatementPage) => `${page.before ?? ''}:${page.limit}`;
const readKey = (r: WalletRead) =>
  r.kind === 'accounts' ? `a:${r.walletId}` : `s:${r.walletId}:${pageKey(r.page)}`;

// Nothing is cached across requests (balances change): one loader per request context.
const loaderFor = requestLoader<LedgerContext, WalletRead, WalletReadResult, string>(readBatch, {
  cacheKeyFn: readKey,
});

/**
 * One query for every wallet's accounts, one per distinct statement page (over all the wallets
 * asking for it): a request's reads cost a few queries, however many wallets it names.
 */
async function readBatch(ctx: LedgerContext, reads: readonly WalletRead[]): Promise<WalletReadResult[]> {
  const accountWallets = [...new Set(reads.flatMap((r) => (r.kind === 'accounts' ? [r.walletId] : [])))];
  const pages = Map.groupBy(
    reads.flatMap((r) => (r.kind === 'statement' ? [r] : [])),
    (r) => pageKey(r.page),
  );
  const queries = (accountWallets.length > 0 ? 1 : 0) + pages.size;
  const readAll = async (db: Executor<LedgerSchema>) => {
    const [accounts, ...statements] = await Promise.all([
      accountWallets.length > 0 ? readWalletAccounts(db, accountWallets) : new Map<string, AccountRow[]>(),
      ...[...pages].map(async ([key, same]) => {
        const walletIds = [...new Set(same.map((r) => r.walletId))];
        return [key, await readStatements(db, walletIds, same[0]!.page)] as const;
      }),
    ]);
    return { accounts, statements: new Map(statements) };
  };
  const read =
    queries > 1
      ? await ctx.db.transaction(readAll, { isolationLevel: 'repeatable read', accessMode: 'read only' })
      : await readAll(ctx.db);
  return reads.map((r) =>
    r.kind === 'accounts'
      ? (read.accounts.get(r.walletId) ?? [])
      : (read.statements.get(pageKey(r.page))?.get(r.walletId) ?? []),
  );
}
