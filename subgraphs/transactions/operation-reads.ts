import { jsonText } from '@walletgraph/platform/db/json-rows';
import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { parseId, type WalletId } from '@walletgraph/platform/ids';
import { oncePer } from '@walletgraph/platform/once-per';
import { requestLoader } from '@walletgraph/platform/request-loader';
import { sql } from 'drizzle-orm';
import type { TransactionsContext } from './context.ts';
import { type OperationRow, operations } from './db/schema.ts';
import {
  type Cursor,
  encodeCursor,
  newestFirst,
  type Page,
  type PageRequest,
  pageOf,
} from './domain/pages.ts';
import { type OperationView, viewFor, viewOnWallet } from './domain/view.ts';

/**
 * The read side of operations: `Query.operation`, Operation references and `Wallet.operations`,
 * each batched per request. Apart from the writes (operation-requests.ts), which hold the rules,
 * locks and waits of a request.
 */

/**
 * Operations by id, one query per request however many the gateway asks for (a statement page
 * resolves an operation per entry). Keyed by the request's context, so nothing outlives it.
 */
const operationLoader = oncePer((ctx: TransactionsContext) =>
  rowsByIdLoader(ctx.db, operations, operations.id),
);

/** `operation(id)` and Operation references: the operation as the viewer may see it, else null. */
export async function findVisibleOperation(
  ctx: TransactionsContext,
  id: string,
): Promise<OperationView | null> {
  const operationId = parseId<'Operation'>(id);
  if (!ctx.viewer || !operationId) return null;
  const row = await operationLoader(ctx).load(operationId);
  return row ? viewFor(row, ctx.viewer.userId) : null;
}

/**
 * `Wallet.operations`: the viewer's operations on the wallet and the completed transfers it
 * received, newest first. Anyone but the wallet's owner gets an empty page, as for a wallet
 * that does not exist. The pages of every wallet a request asks for at once (the gateway sends
 * a list of wallets as one `_entities` call) are read with one statement (`pageCandidates`).
 */
export async function walletOperations(
  ctx: TransactionsContext,
  walletId: string,
  page: PageRequest,
): Promise<Page<OperationView>> {
  const viewerId = ctx.viewer?.userId;
  const wallet = parseId<'Wallet'>(walletId);
  if (!viewerId || !wallet) return pageOf([], page.size, cursorOf);
  const rows = await pageCandidates(ctx).load({ wallet, size: page.size, after: page.after });
  const { after } = page;
  const views = rows
    .map((row) => viewOnWallet(row, wallet, viewerId))
    .filter((view): view is OperationView => view !== null)
    // Rows read for another page of the same wallet in this request may be newer than this one's.
    .filter((view) => !after || newestFirst(after, cursorOf(view)) < 0)
    .sort((a, b) => newestFirst(cursorOf(a), cursorOf(b)));
  return pageOf(views, page.size, cursorOf);
}

/** One wallet's page, as one `Wallet.operations` field asks for it. */
interface PageKey {
  wallet: WalletId;
  size: number;
  after: Cursor | null;
}

/**
 * The candidates of every `Wallet.operations` page a request asks for, one statement per tick
 * however many wallets: for each page, the two sides as before (the viewer's operations on the
 * wallet, the completed transfers it received), each a range scan on its own (wallet,
 * created_at, id) index, newest first and fetched one past the page so the merge knows whether
 * more follow, side by side in a lateral join over the pages asked for. The rows of all pages
 * come back together; `walletOperations` keeps each page's own. Keyed by the request's context,
 * so nothing outlives the request (nor crosses to another viewer).
 */
const pageCandidates = requestLoader(
  async (ctx: TransactionsContext, keys: readonly PageKey[]): Promise<OperationRow[][]> => {
    const viewerId = ctx.viewer!.userId;
    const pages = keys.map((key) => ({
      wallet: key.wallet,
      take: key.size + 1,
      // No cursor: older than anything (a row comparison the index serves either way).
      at: key.after?.createdAt.toISOString() ?? 'infinity',
      id: key.after?.id ?? 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    }));
    const older = sql`(o.created_at, o.id) < (k.at, k.id)`;
    const newest = sql`order by o.created_at desc, o.id desc limit k.take`;
    const ids = sql`select c.id
      from jsonb_to_recordset(${jsonText(pages)}::jsonb) as k(wallet uuid, take int, at timestamptz, id uuid)
      cross join lateral (
        (select o.id from ${operations} o
          where o.wallet_id = k.wallet and o.owner_id = ${viewerId} and ${older} ${newest})
        union all
        (select o.id from ${operations} o
          where o.counterparty_wallet_id = k.wallet and o.counterparty_owner_id = ${viewerId}
            and o.kind = 'TRANSFER' and o.status = 'COMPLETED' and ${older} ${newest})
      ) c`;
    const rows = await ctx.db.select().from(operations).where(sql`${operations.id} in (${ids})`);
    const byWallet = new Map<string, OperationRow[]>();
    for (const row of rows) {
      for (const wallet of [row.walletId, row.counterpartyWalletId]) {
        if (!wallet) continue;
        const list = byWallet.get(wallet) ?? [];
        list.push(row);
        byWallet.set(wallet, list);
      }
    }
    return keys.map((key) => byWallet.get(key.wallet) ?? []);
  },
  { cacheKeyFn: (key: PageKey) => `${key.wallet}/${key.size}/${key.after ? encodeCursor(key.after) : ''}` },
);

function cursorOf(view: OperationView): Cursor {
  return { createdAt: view.row.createdAt, id: view.row.id };
}
