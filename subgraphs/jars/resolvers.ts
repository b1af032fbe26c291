import { DateTime, Decimal } from '@walletgraph/platform/graphql/scalars';
import { moneyView } from '@walletgraph/platform/money';
import { budgetPeriodAt, progressPercent, remainingBudget } from './domain/progress.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { archiveJar, createJar, updateJarGoal, visibleJar, walletJars } from './jars.ts';
import { spentIn } from './projection.ts';
import { setAllocationRules, walletRules } from './rules.ts';

/** The GraphQL adapter: each resolver parses its arguments, calls one use case and maps the result. */
export const resolvers: Resolvers = {
  DateTime,
  Decimal,
  Query: {
    jar: (_, args, ctx) => visibleJar(ctx, args.id),
  },
  Mutation: {
    createJar: (_, args, ctx) => createJar(ctx, args.input),
    archiveJar: (_, args, ctx) => archiveJar(ctx, args.id),
    setAllocationRules: (_, args, ctx) => setAllocationRules(ctx, args.walletId, args.rules),
    updateJarGoal: (_, args, ctx) =>
      updateJarGoal(ctx, { ...args.input, deadline: toDate(args.input.deadline) }),
  },
  Jar: {
    // The gateway sends `balance` along when it resolves `goal` (@requires); keep it on the parent.
    async __resolveReference(ref, ctx) {
      const row = await visibleJar(ctx, ref.id);
      return row && { ...row, balance: 'balance' in ref ? ref.balance : null };
    },
    wallet: (jar) => ({ __typename: 'Wallet', id: jar.walletId }),
    goal(jar) {
      if (jar.goalTargetMinor === null) return null;
      const balance = BigInt(jar.balance?.minorUnits ?? 0);
      return {
        target: moneyView(jar.goalTargetMinor, jar.currency),
        deadline: jar.goalDeadline,
        progressPercent: progressPercent(balance, jar.goalTargetMinor),
        achievedAt: jar.goalAchievedAt,
      };
    },
    async budget(jar, _, ctx) {
      const period = budgetPeriodAt(jar, ctx.services.clock.now());
      if (!period || jar.budgetLimitMinor === null || !jar.budgetPeriod) return null;
      const spent = await spentIn(ctx.db, jar.id, period);
      return {
        limit: moneyView(jar.budgetLimitMinor, jar.currency),
        period: jar.budgetPeriod,
        periodStart: period.start,
        periodEnd: period.end,
        spent: moneyView(spent, jar.currency),
        remaining: moneyView(remainingBudget(jar.budgetLimitMinor, spent), jar.currency),
        thresholds: jar.budgetThresholds ?? [],
        rollsOver: jar.rollsOver,
        blocksOverspend: jar.blocksOverspend,
      };
    },
  },
  Wallet: {
    __resolveReference: (ref) => ref,
    jars: (wallet, _, ctx) => walletJars(ctx, wallet.id),
    allocationRules: (wallet, _, ctx) => walletRules(ctx, wallet.id),
  },
};

/** A DateTime argument arrives as the scalar parsed it; the domain takes a Date. */
function toDate(value: Date | string | null | undefined): Date | null {
  if (value == null) return null;
  return value instanceof Date ? value : new Date(value);
}
