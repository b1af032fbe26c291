import { badInput, DomainError } from '@walletgraph/platform/errors';
import type { WalletId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';
import type { BudgetPeriod, JarKind, JarRow } from '../db/schema.ts';

export const DEFAULT_JAR_NAME = 'Income';
export const MAX_JAR_NAME_LENGTH = 60;
/** Enough for any plan a person keeps in their head; more is a client bug. */
export const MAX_JARS_PER_WALLET = 50;
export const DEFAULT_THRESHOLDS = [80, 100] as const;
export const MAX_THRESHOLDS = 10;
/** A threshold above the limit still means something (150 % overspent); past 1000 % it does not. */
export const MAX_THRESHOLD_PERCENT = 1000;

export type NewJar = Omit<JarRow, 'createdAt'> & { createdAt: Date };

/** What the rules need to know of a wallet (the `wallet_projection` row). */
export interface WalletState {
  walletId: string;
  ownerId: string;
  currency: string;
}

/** The Income jar every wallet gets when it opens. */
export function defaultJarFor(
  wallet: { walletId: string; ownerId: string; currency: string },
  deps: { newId: () => string; now: Date },
): NewJar {
  return {
    ...emptyJar,
    id: deps.newId(),
    walletId: wallet.walletId,
    ownerId: wallet.ownerId,
    name: DEFAULT_JAR_NAME,
    kind: 'INCOME',
    currency: wallet.currency,
    isDefault: true,
    createdAt: deps.now,
  };
}

const emptyJar = {
  status: 'ACTIVE' as const,
  isDefault: false,
  goalTargetMinor: null,
  goalDeadline: null,
  goalAchievedAt: null,
  budgetLimitMinor: null,
  budgetPeriod: null,
  budgetThresholds: null,
  rollsOver: false,
  blocksOverspend: false,
  archivedAt: null,
};

/** A SAVINGS jar's goal: what it saves towards, and by when if the owner set a date. */
export interface SavingsGoal {
  target: Money;
  deadline: Date | null;
}

/**
 * A validated `createJar` request (inputs.ts), before any state is read; `walletId` is null when
 * the input could not name a wallet.
 */
export interface CreateJarRequest {
  walletId: WalletId | null;
  name: string;
  kind: JarKind;
  goal: SavingsGoal | null;
  budget: {
    limit: Money;
    period: BudgetPeriod;
    thresholds: number[];
    rollsOver: boolean;
    blocksOverspend: boolean;
  } | null;
}

/**
 * The jar a validated request creates in the caller's wallet. Another user's wallet answers as
 * an unknown one; the goal and budget must be in the wallet's currency.
 */
export function decideNewJar(
  request: CreateJarRequest,
  state: { wallet: WalletState | null; jarsInWallet: number; viewerId: string },
  deps: { newId: () => string; now: Date },
): NewJar {
  const { wallet } = state;
  if (!wallet || wallet.ownerId !== state.viewerId) {
    throw new DomainError('NOT_FOUND', 'input.walletId: wallet not found', { field: 'input.walletId' });
  }
  const money = request.goal?.target ?? request.budget?.limit;
  if (money && money.currency !== wallet.currency) {
    const field = request.goal ? 'input.goalTarget.currency' : 'input.budgetLimit.currency';
    throw new DomainError(
      'CURRENCY_MISMATCH',
      `${field}: the wallet holds ${wallet.currency}, not ${money.currency}`,
      {
        field,
      },
    );
  }
  if (state.jarsInWallet >= MAX_JARS_PER_WALLET) {
    throw badInput('input.walletId', `a wallet holds at most ${MAX_JARS_PER_WALLET} jars`);
  }
  return {
    ...emptyJar,
    id: deps.newId(),
    walletId: wallet.walletId,
    ownerId: wallet.ownerId,
    name: request.name,
    kind: request.kind,
    currency: wallet.currency,
    goalTargetMinor: request.goal?.target.minor ?? null,
    goalDeadline: request.goal?.deadline ?? null,
    budgetLimitMinor: request.budget?.limit.minor ?? null,
    budgetPeriod: request.budget?.period ?? null,
    budgetThresholds: request.budget?.thresholds ?? null,
    rollsOver: request.budget?.rollsOver ?? false,
    blocksOverspend: request.budget?.blocksOverspend ?? false,
    createdAt: deps.now,
  };
}

/**
 * Whether the caller may archive the jar: their own, and not the wallet's Income jar (every
 * wallet keeps one). Another user's jar answers as an unknown one. An archived jar passes: a
 * retried archive returns it unchanged.
 */
export function checkArchivable(jar: JarRow | null, viewerId: string): JarRow {
  if (!jar || jar.ownerId !== viewerId) {
    throw new DomainError('NOT_FOUND', 'id: jar not found', { field: 'id' });
  }
  if (jar.isDefault) throw badInput('id', 'the wallet’s Income jar cannot be archived');
  return jar;
}

/**
 * A Jar as its resolvers receive it: the row, and, when the gateway resolves `goal`, the balance
 * the ledger reported for it (`@requires(fields: "balance { minorUnits }")`).
 */
export type JarParent = JarRow & { balance?: { minorUnits: string } | null };
