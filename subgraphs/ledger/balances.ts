import DataLoader from 'dataloader';
import { and, inArray } from 'drizzle-orm';
import { type AccountRow, accounts } from './db/schema.ts';
import type { LedgerContext } from './services.ts';

interface Loaders {
  account: DataLoader<string, AccountRow | null>;
  walletAccounts: DataLoader<string, AccountRow[]>;
}

// One set of loaders per request context: every wallet and jar of one query is read with one
// `where … in (…)` per kind of read, and nothing is cached across requests (balances change).
const loaders = new WeakMap<LedgerContext, Loaders>();

function loadersFor(ctx: LedgerContext): Loaders {
  let found = loaders.get(ctx);
  if (!found) {
    found = {
      account: new DataLoader(async (ids: readonly string[]) => {
        const rows = await ctx.db
          .select()
          .from(accounts)
          .where(inArray(accounts.id, [...ids]));
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      // A wallet's balance accounts in one snapshot, so total = available + allocated always holds.
      walletAccounts: new DataLoader(async (walletIds: readonly string[]) => {
        const rows = await ctx.db
          .select()
          .from(accounts)
          .where(
            and(
              inArray(accounts.walletId, [...walletIds]),
              inArray(accounts.kind, ['WALLET_AVAILABLE', 'JAR']),
            ),
          );
        const byWallet = Map.groupBy(rows, (r) => r.walletId);
        return walletIds.map((id) => byWallet.get(id) ?? []);
      }),
    };
    loaders.set(ctx, found);
  }
  return found;
}

/**
 * The account, if the viewer owns it. Another user's account is indistinguishable from one that
 * does not exist (ARCHITECTURE.md §9).
 */
export async function ownedAccount(ctx: LedgerContext, id: string): Promise<AccountRow | null> {
  if (!ctx.viewer) return null;
  const row = await loadersFor(ctx).account.load(id);
  return row && row.ownerId === ctx.viewer.userId ? row : null;
}

/** The wallet's available and jar accounts. */
export function walletAccounts(ctx: LedgerContext, walletId: string): Promise<AccountRow[]> {
  return loadersFor(ctx).walletAccounts.load(walletId);
}
