import { createEvent } from '@walletgraph/events';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { rowsOf } from '@walletgraph/platform/db/rows';
import { DomainError } from '@walletgraph/platform/errors';
import type { WalletId } from '@walletgraph/platform/ids';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { sql } from 'drizzle-orm';
import { checkSpendBudget } from '../budgets.ts';
import type { TransactionsContext } from '../context.ts';
import { billPayments, type OperationRow, operations } from '../db/schema.ts';
import { decideBillPayment, type PayableBiller } from '../domain/bill-payments.ts';
import { authorizeJarMove } from '../domain/jars.ts';
import { authorizeSource, type OperationParties } from '../domain/operations.ts';
import type { BillRequest } from '../domain/requests.ts';
import type { OperationView } from '../domain/view.ts';
import { carryOutRequest } from '../operation-requests.ts';
import { findJar, findWallet } from '../projections.ts';
import { operationSettledEvent } from '../settlement.ts';

/**
 * `payBill` (docs/architecture.md §5): the operation, its payment worker row and the ledger
 * command that holds its amount commit together; the ledger's answer opens the hold (or fails
 * the operation), the payment worker pays the biller, and the capture or release settles it.
 * Returns the operation as it is once settled or when `waitMs` runs out: a slow biller leaves it
 * PENDING with its hold OPEN.
 */
export async function requestBillPayment(
  ctx: TransactionsContext,
  request: BillRequest,
  waitMs: number,
): Promise<OperationView> {
  return carryOutRequest(ctx, request, waitMs, {
    authorize: (viewerId) => authorize(ctx, request, viewerId),
    create: (parties, requestHash) => createBillPayment(ctx, request, { ...parties, requestHash }),
  });
}

interface BillParties {
  parties: OperationParties;
  biller: PayableBiller;
}

/** The biller from the catalog and the caller's own source, checked by the domain rules. */
async function authorize(
  ctx: TransactionsContext,
  request: BillRequest,
  viewerId: string,
): Promise<BillParties> {
  const { db } = ctx;
  const catalog = await ctx.services.biller.catalog();
  const entry = catalog.find((b) => b.id === request.billerId);
  if (!entry)
    throw new DomainError('NOT_FOUND', 'input.billerId: biller not found', { field: 'input.billerId' });
  const biller = {
    id: entry.id,
    name: entry.name,
    currency: entry.currency,
    referenceLabel: entry.reference.label,
    referencePattern: entry.reference.pattern.regex,
  };
  if (request.source.by === 'wallet') {
    const wallet = await findWallet(db, request.source.walletId, viewerId);
    const source = authorizeSource(request, wallet, viewerId);
    return { biller, parties: { source, recipient: null, jarId: null, counterpartyJarId: null } };
  }
  const jar = await findJar(db, request.source.jarId, viewerId);
  // Postgres reads a uuid out in lower case, as parseId makes it: a stored id needs no parsing.
  const wallet = jar ? await findWallet(db, jar.walletId as WalletId) : null;
  const jarRequest = { ...request, jarId: request.source.jarId };
  return { biller, parties: authorizeJarMove(jarRequest, { jar, toJar: null, wallet }, viewerId) };
}

/**
 * Writes the operation (unless its key already made one), its row for the payment worker and
 * its first event: the hold command, or, for a bill past a budget that blocks overspending, its
 * settlement. A bill from a jar checks the budget under the jar's lock, as a spend does.
 */
async function createBillPayment(
  ctx: TransactionsContext,
  request: BillRequest,
  state: BillParties & { requestHash: string },
): Promise<OperationRow | null> {
  const { services } = ctx;
  const now = services.clock.now();
  const meta = { correlationId: ctx.correlationId };
  return ctx.db.transaction(async (tx) => {
    const budget = await checkSpendBudget(tx, request, state.parties, now);
    const { operation, hold } = decideBillPayment(
      request,
      { ...state, budget },
      { newId: services.newId, now, holdTtlMs: services.billerPolicy.holdTtlMs },
    );
    const insert = sql`${insertJsonRows(operations, [operation])}
      on conflict (owner_id, idempotency_key) do nothing returning id`;
    const [row] = rowsOf<{ id: string }>(await tx.execute(insert));
    if (!row) return null;
    await tx.insert(billPayments).values({ operationId: operation.id, step: hold ? 'HOLD' : 'DONE' });
    await enqueue(
      tx,
      hold
        ? createEvent('ledger.post.v1', { aggregateId: operation.id, data: hold }, meta)
        : operationSettledEvent(operation, meta),
    );
    return operation;
  });
}
