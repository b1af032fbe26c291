import { createEvent } from '@walletgraph/events';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { rowsOf } from '@walletgraph/platform/db/rows';
import type { WalletId } from '@walletgraph/platform/ids';
import { enqueueNotices } from '@walletgraph/platform/live/notices';
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
import { operationSettledEvent, settledNotices } from '../settlement.ts';
import { findPayableBiller } from './bills.ts';

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
  const biller = await findPayableBiller(ctx, request.billerId, 'input.billerId');
  return { biller, parties: await authorizePaymentSource(ctx, request, viewerId) };
}

/**
 * The wallet or jar a bill (or a scheduled payment) is paid from, by the rules every operation's
 * source follows (domain/operations.ts, domain/jars.ts): the caller's own, active, in the
 * amount's currency; another user's is NOT_FOUND exactly as an unknown one, naming
 * `input.walletId` or `input.jarId`.
 */
export async function authorizePaymentSource(
  ctx: TransactionsContext,
  request: Pick<BillRequest, 'source' | 'amount' | 'idempotencyKey'>,
  viewerId: string,
): Promise<OperationParties> {
  const { db } = ctx;
  const { source } = request;
  const asked = {
    kind: 'BILL_PAYMENT' as const,
    amount: request.amount,
    idempotencyKey: request.idempotencyKey,
  };
  if (source.by === 'wallet') {
    const wallet = await findWallet(db, source.walletId, viewerId);
    const paying = authorizeSource(asked, wallet, viewerId);
    return { source: paying, recipient: null, jarId: null, counterpartyJarId: null };
  }
  const jar = await findJar(db, source.jarId, viewerId);
  // Postgres reads a uuid out in lower case, as parseId makes it: a stored id needs no parsing.
  const wallet = jar ? await findWallet(db, jar.walletId as WalletId) : null;
  return authorizeJarMove({ ...asked, jarId: source.jarId }, { jar, toJar: null, wallet }, viewerId);
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
    if (hold) {
      await enqueue(tx, createEvent('ledger.post.v1', { aggregateId: operation.id, data: hold }, meta));
    } else {
      // Refused before any hold (BUDGET_EXCEEDED): settled at once, and its owner hears of it.
      await enqueue(tx, operationSettledEvent(operation, meta));
      await enqueueNotices(tx, settledNotices([operation]), meta);
    }
    return operation;
  });
}
