import { notImplemented } from '@walletgraph/platform/errors';
import { DateTime, Decimal } from '@walletgraph/platform/graphql/scalars';
import { isUuid } from '@walletgraph/platform/ids';
import { and, asc, eq } from 'drizzle-orm';
import { type JarRow, jars } from './db/schema.ts';
import type { Resolvers } from './generated/resolvers.ts';
import type { Context } from './server.ts';

async function visibleJar(ctx: Context, id: string): Promise<JarRow | null> {
  if (!ctx.viewer || !isUuid(id)) return null;
  const [row] = await ctx.db
    .select()
    .from(jars)
    .where(and(eq(jars.id, id), eq(jars.ownerId, ctx.viewer.userId)));
  return row ?? null;
}

export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    jar: (_, args, ctx) => visibleJar(ctx, args.id),
  },
  Mutation: {
    createJar: () => {
      throw notImplemented('createJar');
    },
    archiveJar: () => {
      throw notImplemented('archiveJar');
    },
    setAllocationRules: () => {
      throw notImplemented('setAllocationRules');
    },
  },
  Jar: {
    __resolveReference: (ref, ctx) => visibleJar(ctx, ref.id),
    wallet: (jar) => ({ __typename: 'Wallet', id: jar.walletId }),
    // Goals and budgets arrive with their jar kinds (SAVINGS, EXPENSE); Income jars have neither.
    goal: () => null,
    budget: () => null,
  },
  Wallet: {
    __resolveReference: (ref) => ref,
    async jars(wallet, _, ctx) {
      if (!ctx.viewer || !isUuid(wallet.id)) return [];
      return ctx.db
        .select()
        .from(jars)
        .where(and(eq(jars.walletId, wallet.id), eq(jars.ownerId, ctx.viewer.userId)))
        .orderBy(asc(jars.createdAt));
    },
    // Allocation rules cannot be set yet (setAllocationRules), so every wallet has none.
    allocationRules: () => [],
  },
};
