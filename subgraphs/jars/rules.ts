import { causedBy, createEvent, type Event, ledgerAccount } from '@walletgraph/events';
import { DomainError } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import { type MoneyView, moneyView } from '@walletgraph/platform/money';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, asc, eq } from 'drizzle-orm';
import type { JarsContext, JarsExecutor } from './context.ts';
import { type AllocationRuleRow, allocationRules, type JarRow, jars } from './db/schema.ts';
import { type AllocationRule, decideAllocationRules, splitDeposit } from './domain/allocation.ts';
import { type AllocationRuleInputShape, parseAllocationRules } from './inputs.ts';
import { awaitOwnWallet, findWallet } from './jars.ts';

/** An `AllocationRule` as GraphQL shows it. */
export interface AllocationRuleView {
  jar: JarRow;
  percent: number | null;
  fixed: MoneyView | null;
}

/**
 * `setAllocationRules`: replaces the wallet's rules as a whole, in one transaction. Another
 * user's wallet answers as an unknown one.
 */
export async function setAllocationRules(
  ctx: JarsContext,
  id: string,
  input: readonly AllocationRuleInputShape[],
): Promise<AllocationRuleView[]> {
  const viewer = requireViewer(ctx);
  const walletId = parseId<'Wallet'>(id);
  const requests = parseAllocationRules(input);
  await awaitOwnWallet(ctx, walletId);
  return ctx.db.transaction(async (tx) => {
    const wallet = walletId ? await findWallet(tx, walletId) : null;
    if (!wallet || wallet.ownerId !== viewer.userId) {
      throw new DomainError('NOT_FOUND', 'walletId: wallet not found', { field: 'walletId' });
    }
    // Locks the wallet's jars, in id order (the order the ledger projection locks them in): an
    // archive racing with this cannot leave a rule on an archived jar, and nothing deadlocks.
    const walletJars = await tx
      .select()
      .from(jars)
      .where(eq(jars.walletId, wallet.walletId))
      .orderBy(asc(jars.id))
      .for('update');
    const rules = decideAllocationRules(requests, { walletCurrency: wallet.currency, jars: walletJars });
    await tx.delete(allocationRules).where(eq(allocationRules.walletId, wallet.walletId));
    if (rules.length > 0) {
      await tx
        .insert(allocationRules)
        .values(rules.map((rule, position) => ({ walletId: wallet.walletId, position, ...rule })));
    }
    const byId = new Map(walletJars.map((j) => [j.id, j]));
    return rules.map((rule) => viewOf(rule, byId.get(rule.jarId)!));
  });
}

/** `Wallet.allocationRules`: the owner's rules, in the order they were given; empty for anyone else. */
export async function walletRules(ctx: JarsContext, id: string): Promise<AllocationRuleView[]> {
  const walletId = parseId<'Wallet'>(id);
  if (!ctx.viewer || !walletId) return [];
  const rows = await ctx.db
    .select({ rule: allocationRules, jar: jars })
    .from(allocationRules)
    .innerJoin(jars, eq(jars.id, allocationRules.jarId))
    .where(and(eq(allocationRules.walletId, walletId), eq(jars.ownerId, ctx.viewer.userId)))
    .orderBy(asc(allocationRules.position));
  return rows.map(({ rule, jar }) => viewOf(ruleOf(rule), jar));
}

/**
 * On a COMPLETED deposit: splits it across the wallet's jars by its rules, as ONE ledger entry
 * (available → each jar) with the key `alloc:<operationId>`, so a redelivered settlement moves
 * nothing twice. Rounding never creates or loses a minor unit: the remainder stays available.
 * If the money has left available meanwhile, the ledger refuses the whole entry.
 */
export async function allocateDeposit(
  tx: JarsExecutor,
  settled: Event<'transactions.operation_settled.v1'>,
): Promise<void> {
  const { operationId, walletId, amount, currency } = settled.data;
  const rows = await tx
    .select()
    .from(allocationRules)
    .where(eq(allocationRules.walletId, walletId))
    .orderBy(asc(allocationRules.position));
  const parts = splitDeposit(BigInt(amount), rows.map(ruleOf));
  if (parts.length === 0) return;
  const total = parts.reduce((sum, p) => sum + p.minor, 0n);
  await enqueue(
    tx,
    createEvent(
      'ledger.post.v1',
      {
        aggregateId: operationId,
        data: {
          idempotencyKey: `alloc:${operationId}`,
          operationId: null,
          description: 'Allocation rules',
          postings: [
            { account: ledgerAccount.walletAvailable(walletId), amount: (-total).toString(), currency },
            ...parts.map((p) => ({
              account: ledgerAccount.jar(p.jarId),
              amount: p.minor.toString(),
              currency,
            })),
          ],
        },
      },
      causedBy(settled),
    ),
  );
}

function ruleOf(row: AllocationRuleRow): AllocationRule {
  return row.percent !== null
    ? { jarId: row.jarId, percent: row.percent, fixedMinor: null }
    : { jarId: row.jarId, percent: null, fixedMinor: row.fixedMinor! };
}

function viewOf(rule: AllocationRule, jar: JarRow): AllocationRuleView {
  return {
    jar,
    percent: rule.percent,
    fixed: rule.fixedMinor === null ? null : moneyView(rule.fixedMinor, jar.currency),
  };
}
