import { badInput, DomainError } from '@walletgraph/platform/errors';
import { isUuid } from '@walletgraph/platform/ids';
import { parseMoneyInput } from '@walletgraph/platform/money';
import type { JarRow } from '../db/schema.ts';

/** More rules than jars a person plans with is a client bug. */
export const MAX_ALLOCATION_RULES = 20;

/** One rule as stored: a whole percent of each completed deposit, or a fixed amount. */
export type AllocationRule = { jarId: string } & (
  | { percent: number; fixedMinor: null }
  | { percent: null; fixedMinor: bigint }
);

/** `AllocationRuleInput`, as GraphQL hands it over. */
export interface AllocationRuleInputShape {
  jarId: string;
  percent?: number | null;
  fixed?: { amount: string; currency: string } | null;
}

/**
 * Validates a wallet's new rule set against its jars: each rule names an active jar of that
 * wallet (another wallet's or user's jar is NOT_FOUND, like an unknown one), at most once, with
 * exactly one of a whole percent (1–100) or a positive fixed amount in the wallet's currency;
 * the percents add up to at most 100. An empty list clears the rules.
 */
export function parseAllocationRules(
  input: readonly AllocationRuleInputShape[],
  state: { walletCurrency: string; jars: readonly Pick<JarRow, 'id' | 'status'>[] },
): AllocationRule[] {
  if (input.length > MAX_ALLOCATION_RULES) {
    throw badInput('rules', `at most ${MAX_ALLOCATION_RULES} rules`);
  }
  const jars = new Map(state.jars.map((j) => [j.id, j]));
  const seen = new Set<string>();
  let percents = 0;
  const rules = input.map((rule, i): AllocationRule => {
    const field = `rules[${i}]`;
    const jarId = isUuid(rule.jarId) ? rule.jarId.toLowerCase() : rule.jarId;
    const jar = jars.get(jarId);
    if (!jar)
      throw new DomainError('NOT_FOUND', `${field}.jarId: jar not found`, { field: `${field}.jarId` });
    if (jar.status !== 'ACTIVE') {
      throw new DomainError('JAR_ARCHIVED', `${field}.jarId: the jar is archived`, {
        field: `${field}.jarId`,
      });
    }
    if (seen.has(jarId)) throw badInput(`${field}.jarId`, 'each jar takes at most one rule');
    seen.add(jarId);
    const hasPercent = rule.percent != null;
    if (hasPercent === (rule.fixed != null)) throw badInput(field, 'give exactly one of percent and fixed');
    if (hasPercent) {
      const percent = rule.percent!;
      if (!Number.isInteger(percent) || percent < 1 || percent > 100) {
        throw badInput(`${field}.percent`, 'must be a whole percent from 1 to 100');
      }
      percents += percent;
      return { jarId, percent, fixedMinor: null };
    }
    const fixed = parseMoneyInput(rule.fixed!, `${field}.fixed`);
    if (fixed.minor <= 0n) throw badInput(`${field}.fixed.amount`, 'must be greater than zero');
    if (fixed.currency !== state.walletCurrency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `${field}.fixed.currency: the wallet holds ${state.walletCurrency}, not ${fixed.currency}`,
        { field: `${field}.fixed.currency` },
      );
    }
    return { jarId, percent: null, fixedMinor: fixed.minor };
  });
  if (percents > 100) throw badInput('rules', `the percents add up to ${percents}, more than 100`);
  return rules;
}

/**
 * How a deposit of `amount` minor units splits across the rules: each percent rule takes its
 * share of the deposit rounded DOWN to a whole minor unit, then fixed rules take their amounts in
 * order, each capped by what the deposit still has. Nothing is created or lost: the parts never
 * add up to more than the deposit, and the remainder (rounding included) stays available.
 * Parts of zero are left out.
 */
export function splitDeposit(
  amount: bigint,
  rules: readonly AllocationRule[],
): { jarId: string; minor: bigint }[] {
  const parts: { jarId: string; minor: bigint }[] = [];
  let left = amount;
  for (const rule of rules) {
    if (rule.percent === null) continue;
    const minor = (amount * BigInt(rule.percent)) / 100n;
    left -= minor;
    parts.push({ jarId: rule.jarId, minor });
  }
  for (const rule of rules) {
    if (rule.fixedMinor === null) continue;
    let minor = rule.fixedMinor;
    if (minor > left) minor = left;
    left -= minor;
    parts.push({ jarId: rule.jarId, minor });
  }
  return parts.filter((p) => p.minor > 0n);
}
