import { badInput, DomainError } from '@walletgraph/platform/errors';
import type { JarId } from '@walletgraph/platform/ids';
import type { Money } from '@walletgraph/platform/money';
import type { JarRow } from '../db/schema.ts';

/** More rules than jars a person plans with is a client bug. */
export const MAX_ALLOCATION_RULES = 20;

/** One rule as stored: a whole percent of each completed deposit, or a fixed amount. */
export type AllocationRule = { jarId: string } & (
  | { percent: number; fixedMinor: null }
  | { percent: null; fixedMinor: bigint }
);

/** What a rule gives its jar of each deposit, as the client asked for it. */
export type AllocationShare = { percent: number } | { fixed: Money };

/**
 * One rule of a `setAllocationRules` input, parsed on its own (inputs.ts): `jarId` is null when
 * it cannot name a jar; `share` is what the rule gives, or the error its percent or fixed amount
 * was refused with. The error waits here rather than being thrown by the parser so that a rule
 * naming an unknown jar answers NOT_FOUND whatever else is wrong with it, as it always has.
 */
export interface AllocationRuleRequest {
  jarId: JarId | null;
  share: AllocationShare | DomainError;
}

/**
 * Decides a wallet's new rule set against its jars: each rule names an active jar of that
 * wallet (another wallet's or user's jar is NOT_FOUND, like an unknown one), at most once, with
 * a share (checked in that order, rule by rule); a fixed amount is in the wallet's currency; the
 * percents add up to at most 100. An empty list clears the rules.
 */
export function decideAllocationRules(
  requests: readonly AllocationRuleRequest[],
  state: { walletCurrency: string; jars: readonly Pick<JarRow, 'id' | 'status'>[] },
): AllocationRule[] {
  if (requests.length > MAX_ALLOCATION_RULES) {
    throw badInput('rules', `at most ${MAX_ALLOCATION_RULES} rules`);
  }
  const jars = new Map(state.jars.map((j) => [j.id, j]));
  const seen = new Set<string>();
  let percents = 0;
  const rules = requests.map(({ jarId, share }, i): AllocationRule => {
    const field = `rules[${i}]`;
    const jar = jarId && jars.get(jarId);
    if (!jarId || !jar)
      throw new DomainError('NOT_FOUND', `${field}.jarId: jar not found`, { field: `${field}.jarId` });
    if (jar.status !== 'ACTIVE') {
      throw new DomainError('JAR_ARCHIVED', `${field}.jarId: the jar is archived`, {
        field: `${field}.jarId`,
      });
    }
    if (seen.has(jarId)) throw badInput(`${field}.jarId`, 'each jar takes at most one rule');
    seen.add(jarId);
    if (share instanceof DomainError) throw share;
    if ('percent' in share) {
      percents += share.percent;
      return { jarId, percent: share.percent, fixedMinor: null };
    }
    if (share.fixed.currency !== state.walletCurrency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `${field}.fixed.currency: the wallet holds ${state.walletCurrency}, not ${share.fixed.currency}`,
        { field: `${field}.fixed.currency` },
      );
    }
    return { jarId, percent: null, fixedMinor: share.fixed.minor };
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
