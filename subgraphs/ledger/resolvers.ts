import { DateTime, Decimal } from '@walletgraph/platform/graphql/scalars';
import { parseId } from '@walletgraph/platform/ids';
import { moneyView } from '@walletgraph/platform/money';
import { ownedAccount } from './db/account-reads.ts';
import type { AccountRow } from './db/schema.ts';
import { loadStatement, loadWalletAccounts } from './db/wallet-reads.ts';
import { accountId, jarIdOf, walletBalances } from './domain/accounts.ts';
import { decodeCursor, encodeCursor, statementPageSize } from './domain/statement.ts';
import { notOpenedYet } from './domain/wallet.ts';
import type { Resolvers } from './generated/resolvers.ts';

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Wallet: {
    // Only the owner gets a wallet back, so every field below is the owner's to see.
    async __resolveReference(ref, ctx) {
      const walletId = parseId<'Wallet'>(ref.id);
      if (!walletId) return null;
      const account = await ownedAccount(ctx, accountId.walletAvailable(walletId));
      if (account) return { id: walletId, currency: account.currency, opened: true };
      const currency = notOpenedYet(ref, ctx.viewer?.userId);
      return currency ? { id: walletId, currency, opened: false } : null;
    },
    async balance(wallet, _, ctx) {
      const b = walletBalances(wallet.opened ? await loadWalletAccounts(ctx, wallet.id) : []);
      return {
        total: moneyView(b.total, wallet.currency),
        available: moneyView(b.available, wallet.currency),
        allocated: moneyView(b.allocated, wallet.currency),
      };
    },
    async statement(wallet, args, ctx) {
      const first = statementPageSize(args.first);
      const before = args.after ? decodeCursor(args.after) : null;
      const lines = wallet.opened ? await loadStatement(ctx, wallet.id, { before, limit: first + 1 }) : [];
      const edges = lines.slice(0, first).map((line) => ({
        cursor: encodeCursor(line.sequence),
        node: {
          id: line.entryId,
          sequence: line.sequence.toString(),
          occurredAt: line.occurredAt,
          amount: moneyView(line.amount, wallet.currency),
          balanceAfter: moneyView(line.balanceAfter, wallet.currency),
          description: line.description,
          operation: line.operationId ? { __typename: 'Operation' as const, id: line.operationId } : null,
        },
      }));
      return {
        edges,
        pageInfo: { hasNextPage: lines.length > first, endCursor: edges.at(-1)?.cursor ?? null },
      };
    },
  },
  Jar: {
    async __resolveReference(ref, ctx) {
      const jarId = parseId<'Jar'>(ref.id);
      if (!jarId) return null;
      const id = accountId.jar(jarId);
      const account = await ownedAccount(ctx, id);
      if (account) return account;
      const currency = notOpenedYet(ref, ctx.viewer?.userId);
      return currency ? unopenedJarAccount(id, currency) : null;
    },
    // The parent is the jar's account (`jar:<jarId>`); the Jar's id is the jar's own.
    id: (account) => jarIdOf(account.id),
    balance: (account) => moneyView(account.balance, account.currency),
  },
};

/** A jar account the ledger has not opened yet (its `jars.jar_created.v1` is on its way): empty. */
function unopenedJarAccount(id: string, currency: string): AccountRow {
  return {
    id,
    kind: 'JAR',
    currency,
    walletId: null,
    ownerId: null,
    balance: 0n,
    createdAt: new Date(0),
    closedAt: null,
    expiresAt: null,
  };
}
