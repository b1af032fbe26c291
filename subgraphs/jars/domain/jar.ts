import { badInput, DomainError } from '@walletgraph/platform/errors';
import { isUuid } from '@walletgraph/platform/ids';
import { type Money, parseMoneyInput } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
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

/** `CreateJarInput`, as GraphQL hands it over. */
export interface CreateJarInputShape {
  walletId: string;
  name: string;
  kind: JarKind;
  goalTarget?: { amount: string; currency: string } | null;
  goalDeadline?: Date | string | null;
  budgetLimit?: { amount: string; currency: string } | null;
  budgetPeriod?: BudgetPeriod | null;
  thresholds?: readonly number[] | null;
  rollsOver?: boolean | null;
  blockOverspend?: boolean | null;
}

/** A validated `createJar` request, before any state is read. */
export interface CreateJarRequest {
  walletId: string;
  name: string;
  kind: JarKind;
  goal: { target: Money; deadline: Date | null } | null;
  budget: {
    limit: Money;
    period: BudgetPeriod;
    thresholds: number[];
    rollsOver: boolean;
    blocksOverspend: boolean;
  } | null;
}

/**
 * Checks a `createJar` input on its own: a name of 1 to 60 characters; a goal only (and always)
 * for SAVINGS; a budget only (and always) for EXPENSE, which alone may block overspending;
 * positive amounts; thresholds whole percents. INCOME jars are made with their wallet: there is
 * one per wallet, never another.
 */
export function parseCreateJar(input: CreateJarInputShape, now: Date): CreateJarRequest {
  const name = parseJarName(input.name, 'input.name');
  const walletId = isUuid(input.walletId) ? input.walletId.toLowerCase() : input.walletId;
  const base = { walletId, name, kind: input.kind };
  const has = {
    goal: input.goalTarget != null || input.goalDeadline != null,
    budget:
      input.budgetLimit != null ||
      input.budgetPeriod != null ||
      input.thresholds != null ||
      input.rollsOver != null,
  };
  if (input.kind !== 'SAVINGS' && has.goal) {
    throw badInput('input.goalTarget', 'only a SAVINGS jar has a goal');
  }
  if (input.kind !== 'EXPENSE' && has.budget) {
    throw badInput('input.budgetLimit', 'only an EXPENSE jar has a budget');
  }
  // Refused even when false, as for rollsOver: the client asked about a budget the jar cannot have.
  if (input.kind !== 'EXPENSE' && input.blockOverspend != null) {
    throw badInput('input.blockOverspend', 'only an EXPENSE jar can block overspending');
  }
  switch (input.kind) {
    case 'INCOME':
      throw badInput('input.kind', 'every wallet has its one Income jar already; choose EXPENSE or SAVINGS');
    case 'SAVINGS': {
      if (!input.goalTarget) throw badInput('input.goalTarget', 'a SAVINGS jar needs a goal target');
      const deadline = input.goalDeadline == null ? null : new Date(input.goalDeadline);
      return { ...base, goal: parseGoal(input.goalTarget, deadline, now, 'input'), budget: null };
    }
    case 'EXPENSE': {
      if (!input.budgetLimit) throw badInput('input.budgetLimit', 'an EXPENSE jar needs a budget limit');
      const limit = parsePositive(input.budgetLimit, 'input.budgetLimit');
      return {
        ...base,
        goal: null,
        budget: {
          limit,
          period: input.budgetPeriod ?? 'MONTHLY',
          thresholds: parseThresholds(input.thresholds ?? null),
          rollsOver: input.rollsOver ?? false,
          blocksOverspend: input.blockOverspend ?? false,
        },
      };
    }
  }
}

/** A savings goal: a positive target and, if given, a deadline still ahead. */
export function parseGoal(
  target: { amount: string; currency: string },
  deadline: Date | null,
  now: Date,
  prefix: string,
): { target: Money; deadline: Date | null } {
  const money = parsePositive(target, `${prefix}.goalTarget`);
  if (deadline && deadline.getTime() <= now.getTime()) {
    throw badInput(`${prefix}.goalDeadline`, 'must be in the future');
  }
  return { target: money, deadline };
}

/** A jar's name as other people may see it (`parseVisibleText`), else BAD_USER_INPUT naming `field`. */
export function parseJarName(raw: string, field: string): string {
  return parseVisibleText(raw, field, MAX_JAR_NAME_LENGTH);
}

function parsePositive(input: { amount: string; currency: string }, field: string): Money {
  const money = parseMoneyInput(input, field);
  if (money.minor <= 0n) throw badInput(`${field}.amount`, 'must be greater than zero');
  return money;
}

/** Thresholds: whole percents from 1 to 1000, at most ten, kept unique and ascending. */
export function parseThresholds(raw: readonly number[] | null): number[] {
  if (raw === null) return [...DEFAULT_THRESHOLDS];
  if (raw.length === 0 || raw.length > MAX_THRESHOLDS) {
    throw badInput('input.thresholds', `give 1 to ${MAX_THRESHOLDS} percents`);
  }
  for (const t of raw) {
    if (!Number.isInteger(t) || t < 1 || t > MAX_THRESHOLD_PERCENT) {
      throw badInput('input.thresholds', `each must be a whole percent from 1 to ${MAX_THRESHOLD_PERCENT}`);
    }
  }
  return [...new Set(raw)].sort((a, b) => a - b);
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
