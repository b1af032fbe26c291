import type { Executor } from '@walletgraph/platform/db/database';
import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { oncePer } from '@walletgraph/platform/once-per';
import { and, inArray } from 'drizzle-orm';
import type { LedgerContext, LedgerSchema } from '../context.ts';
import { type AccountRow, accounts } from './schema.ts';

// One loader per request context: every wallet and jar one query names is read with one
// `where id in (…)`, and nothing is cached across requests (balances change).
const accountLoader = oncePer((ctx: LedgerContext) => rowsByIdLoader(ctx.db, accounts, accounts.id));

/**
 * The account, if the viewer owns it. Another user's account is indistinguishable from one that
 * does not exist (docs/architecture.md §9).
 */
export async function ownedAccount(ctx: LedgerContext, id: string): Promise<AccountRow | null> {
  if (!ctx.viewer) return null;
  const row = await accountLoader(ctx).load(id);
  return row && row.ownerId === ctx.viewer.userId ? row : null;
}

/**
 * The available and jar accounts of each wallet, by wallet id, in one statement: one snapshot,
 * so total = available + allocated always holds. Wallets without accounts are absent.
 */
export async function readWalletAccounts(
  db: Executor<LedgerSchema>,
  walletIds: readonly string[],
): Promise<Map<string, AccountRow[]>> {
  const rows = await db
    .select()
    .from(accounts)
    .where(
      and(inArray(accounts.walletId, [...walletIds]), inArray(accounts.kind, ['WALLET_AVAILABLE', 'JAR'])),
    );
  return Map.groupBy(rows, (r) => r.walletId!);
}
