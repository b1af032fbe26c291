import type { BudgetPeriod } from '@walletgraph/platform/periods';
import type { JarProjectionRow, OperationStatus } from '../db/schema.ts';
import type { OperationRequest } from './requests.ts';

/** A budget that refuses spends past its limit, as `jars.jar_created.v1` announced it. */
export interface BlockingBudget {
  limitMinor: bigint;
  period: BudgetPeriod;
}

/** The jar's spends (JAR_SPEND, BILL_PAYMENT) created in the current period, summed per status. */
export type PeriodSpends = readonly { status: OperationStatus; amountMinor: bigint }[];

/** Why a spend cannot even be attempted: it is created FAILED, and no ledger command is sent. */
export type BudgetFailure = 'BUDGET_EXCEEDED';

export type BudgetCheck = { ok: true } | { ok: false; failureCode: BudgetFailure };

/**
 * The budget a request must stay within, or null when none applies: only a spend (JAR_SPEND, or a
 * bill paid from the jar) from a jar whose budget blocks overspending is checked. Any other budget is a plan, not a cap:
 * spending past it is allowed while the jar has money, and the ledger alone refuses what the jar
 * does not hold.
 */
export function blockingBudget(
  request: { kind: OperationRequest['kind'] | 'BILL_PAYMENT' },
  jar: Pick<JarProjectionRow, 'budgetLimitMinor' | 'budgetPeriod' | 'blocksOverspend'> | null,
): BlockingBudget | null {
  if (!isSpendKind(request.kind) || !jar?.blocksOverspend) return null;
  if (jar.budgetLimitMinor === null || jar.budgetPeriod === null) return null;
  return { limitMinor: jar.budgetLimitMinor, period: jar.budgetPeriod };
}

/** The operation kinds that take money out of a jar to the outside: what a budget counts. */
export const spendKinds = ['JAR_SPEND', 'BILL_PAYMENT'] as const;

export function isSpendKind(kind: string): kind is (typeof spendKinds)[number] {
  return (spendKinds as readonly string[]).includes(kind);
}

/**
 * What the period has spent so far, as the transactions subgraph knows it: COMPLETED spends, and
 * PENDING ones too, since the ledger may yet post them (a spend waiting for its answer holds its
 * share of the budget). A FAILED spend moved nothing and frees its share.
 */
export function spentSoFar(spends: PeriodSpends): bigint {
  let spent = 0n;
  for (const { status, amountMinor } of spends) {
    switch (status) {
      case 'COMPLETED':
      case 'PENDING':
        spent += amountMinor;
        break;
      case 'FAILED':
        break;
    }
  }
  return spent;
}

/**
 * Whether a spend of `amountMinor` fits the budget: spending exactly up to the limit is allowed,
 * one minor unit more is BUDGET_EXCEEDED.
 */
export function checkBudget(budget: BlockingBudget, spends: PeriodSpends, amountMinor: bigint): BudgetCheck {
  return spentSoFar(spends) + amountMinor > budget.limitMinor
    ? { ok: false, failureCode: 'BUDGET_EXCEEDED' }
    : { ok: true };
}
