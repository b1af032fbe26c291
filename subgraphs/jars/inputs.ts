import { badInput, DomainError } from '@walletgraph/platform/errors';
import { type JarId, parseId } from '@walletgraph/platform/ids';
import { type Money, parseMoneyInput } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
import type { BudgetPeriod, JarKind } from './db/schema.ts';
import type { AllocationRuleRequest, AllocationShare } from './domain/allocation.ts';
import {
  type CreateJarRequest,
  DEFAULT_THRESHOLDS,
  MAX_JAR_NAME_LENGTH,
  MAX_THRESHOLD_PERCENT,
  MAX_THRESHOLDS,
  type SavingsGoal,
} from './domain/jar.ts';

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

/**
 * Checks a `createJar` input on its own: a name of 1 to 60 characters; a goal only (and always)
 * for SAVINGS; a budget only (and always) for EXPENSE, which alone may block overspending;
 * positive amounts; thresholds whole percents. INCOME jars are made with their wallet: there is
 * one per wallet, never another.
 */
export function parseCreateJar(input: CreateJarInputShape, now: Date): CreateJarRequest {
  const name = parseJarName(input.name, 'input.name');
  const base = { walletId: parseId<'Wallet'>(input.walletId), name, kind: input.kind };
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

/** `UpdateJarGoalInput`, its deadline already a Date. */
export interface UpdateJarGoalInputShape {
  jarId: string;
  target: { amount: string; currency: string };
  deadline?: Date | null;
}

/** An `updateJarGoal` input checked on its own; `jarId` is null when it cannot name a jar. */
export function parseUpdateJarGoal(
  input: UpdateJarGoalInputShape,
  now: Date,
): { jarId: JarId | null; goal: SavingsGoal } {
  const goal = parseGoal(input.target, input.deadline ?? null, now, 'input');
  return { jarId: parseId<'Jar'>(input.jarId), goal };
}

/** A savings goal: a positive target and, if given, a deadline still ahead. */
function parseGoal(
  target: { amount: string; currency: string },
  deadline: Date | null,
  now: Date,
  prefix: string,
): SavingsGoal {
  const money = parsePositive(target, `${prefix}.goalTarget`);
  if (deadline && deadline.getTime() <= now.getTime()) {
    throw badInput(`${prefix}.goalDeadline`, 'must be in the future');
  }
  return { target: money, deadline };
}

/** A jar's name as other people may see it (`parseVisibleText`), else BAD_USER_INPUT naming `field`. */
function parseJarName(raw: string, field: string): string {
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

/** `AllocationRuleInput`, as GraphQL hands it over. */
export interface AllocationRuleInputShape {
  jarId: string;
  percent?: number | null;
  fixed?: { amount: string; currency: string } | null;
}

/**
 * Each rule of a `setAllocationRules` input on its own: its jar id, and exactly one of a whole
 * percent (1–100) or a positive fixed amount. Never throws: a refused share is kept as its error
 * for `decideAllocationRules` to raise after the rule's jar checks (AllocationRuleRequest).
 */
export function parseAllocationRules(input: readonly AllocationRuleInputShape[]): AllocationRuleRequest[] {
  return input.map((rule, i) => ({
    jarId: parseId<'Jar'>(rule.jarId),
    share: shareOrError(rule, `rules[${i}]`),
  }));
}

function shareOrError(rule: AllocationRuleInputShape, field: string): AllocationShare | DomainError {
  try {
    return parseShare(rule, field);
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
}

function parseShare(rule: AllocationRuleInputShape, field: string): AllocationShare {
  if ((rule.percent != null) === (rule.fixed != null)) {
    throw badInput(field, 'give exactly one of percent and fixed');
  }
  if (rule.percent != null) {
    const percent = rule.percent;
    if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
      throw badInput(`${field}.percent`, 'must be a whole percent from 1 to 100');
    }
    return { percent };
  }
  const fixed = parseMoneyInput(rule.fixed!, `${field}.fixed`);
  if (fixed.minor <= 0n) throw badInput(`${field}.fixed.amount`, 'must be greater than zero');
  return { fixed };
}
