import { periodContaining } from '@walletgraph/platform/periods';
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { TransactionsExecutor } from './context.ts';
import { jarProjection, operations } from './db/schema.ts';
import { type BudgetCheck, blockingBudget, checkBudget, isSpendKind, spendKinds } from './domain/budget.ts';
import type { OperationParties } from './domain/operations.ts';
import type { BillRequest, OperationRequest } from './domain/requests.ts';

/** Whether a request may be held to a budget: only a spend or a bill paid from a jar can exceed one. */
export function spendsAgainstBudget(request: OperationRequest | BillRequest): boolean {
  if (request.kind === 'BILL_PAYMENT') return request.source.by === 'jar';
  return isSpendKind(request.kind);
}

/**
 * Checks a spend from a jar whose budget blocks overspending against what the jar's current
 * period has spent; null when no budget applies (any other request, or a jar that does not
 * block). Runs inside the transaction that inserts the operation, and `now` is that operation's
 * `createdAt`, so the spend counts in the period it was checked against.
 *
 * Two spends racing on one jar must not both fit into the last of its budget, so the jar's
 * projection row is locked (SELECT … FOR UPDATE) before the period is summed: a second spend
 * waits until the first has committed its operation, then (READ COMMITTED reads afresh per
 * statement) its sum counts it. A row lock, rather than SERIALIZABLE (which aborts one of the two
 * and needs a retry loop) or an advisory lock (which needs a key derived from the jar id): the
 * row is the jar, and the lock ends with the transaction, committed or not. Only a blocking jar's
 * row matches the query, so spends from other jars never wait for one another.
 */
export async function checkSpendBudget(
  tx: TransactionsExecutor,
  request: OperationRequest | BillRequest,
  parties: Pick<OperationParties, 'jarId'>,
  now: Date,
): Promise<BudgetCheck | null> {
  // Only a spend can exceed a budget: other requests lock and read nothing.
  if (!spendsAgainstBudget(request) || !parties.jarId) return null;
  const [jar] = await tx
    .select()
    .from(jarProjection)
    .where(and(eq(jarProjection.jarId, parties.jarId), eq(jarProjection.blocksOverspend, true)))
    .for('update');
  const budget = blockingBudget(request, jar ?? null);
  if (!budget) return null;
  const period = periodContaining(budget.period, now);
  const spends = await tx
    .select({ status: operations.status, total: sql<string>`sum(${operations.amountMinor})` })
    .from(operations)
    .where(
      and(
        eq(operations.jarId, parties.jarId),
        inArray(operations.kind, [...spendKinds]),
        gte(operations.createdAt, period.start),
        lt(operations.createdAt, period.end),
      ),
    )
    .groupBy(operations.status);
  return checkBudget(
    budget,
    spends.map((s) => ({ status: s.status, amountMinor: BigInt(s.total) })),
    request.amount.minor,
  );
}
