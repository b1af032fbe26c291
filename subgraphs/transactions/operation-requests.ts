import { createEvent, type Event } from '@walletgraph/events';
import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { preparedQuery } from '@walletgraph/platform/db/prepared';
import { rowsOf } from '@walletgraph/platform/db/rows';
import type { WalletId } from '@walletgraph/platform/ids';
import { liveNoticesEvent } from '@walletgraph/platform/live/notices';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, eq, sql } from 'drizzle-orm';
import { checkSpendBudget, spendsAgainstBudget } from './budgets.ts';
import type { TransactionsContext, TransactionsExecutor } from './context.ts';
import { type OperationRow, operations } from './db/schema.ts';
import { authorizeJarMove } from './domain/jars.ts';
import {
  authorizeSource,
  checkRecipient,
  decideOperation,
  type OperationDecision,
  type OperationParties,
  replayOf,
} from './domain/operations.ts';
import { type BillRequest, isJarRequest, type OperationRequest, requestHash } from './domain/requests.ts';
import type { OperationView } from './domain/view.ts';
import { findJar, findRequestWallets, findWallet } from './projections.ts';
import { operationSettledEvent, settledNotices } from './settlement.ts';

/**
 * The write side of operations: a mutation's request becomes an operation (or the replay of
 * one). The reads clients make of operations afterwards are operation-reads.ts: they share the
 * table, not the rules, the locks or the waiting.
 */

/**
 * Carries out a deposit, withdrawal, transfer or jar move request (docs/architecture.md §5) and
 * returns the operation as its owner sees it, settled or, after `waitMs`, still PENDING.
 *
 * Shaped like the ledger's posting: everything the rules need is read at once (the wallets or
 * jars named), one pure `decideOperation`, one write. The operation and its ledger command (or,
 * for a transfer that cannot even be attempted, its settlement event) commit together: one
 * statement shared with the concurrent requests of the moment (`IntakeBatches`, which also
 * shares their wallet reads), or, for a spend from a jar whose budget blocks overspending, a
 * transaction that holds the jar's lock while the budget is checked. The idempotency key is unique per user,
 * and the key is not looked up first: a new key (nearly every request) costs no read. The
 * insert of a key already used inserts nothing (ON CONFLICT DO NOTHING, so no transaction is
 * aborted) and the request then reads what the key made: the same request gets that operation;
 * a different one is IDEMPOTENCY_KEY_REUSED. Two requests racing with one key meet at the unique
 * index: the insert of the second waits for the first to commit. A request refused now (a
 * wallet archived since) first checks whether its key already made an operation.
 */
export async function requestOperation(
  ctx: TransactionsContext,
  request: OperationRequest,
  waitMs: number,
): Promise<OperationView> {
  return carryOutRequest(ctx, request, waitMs, {
    authorize: (viewerId) => authorize(ctx, request, viewerId),
    create: (parties, requestHash) => createOperation(ctx, request, { ...parties, requestHash }),
  });
}

/**
 * The path every operation request takes, whatever its rules: authorise, create (or find what the
 * idempotency key already made), then wait for the settlement. `authorize` reads and checks what
 * the request names (throwing when refused); `create` decides and writes the operation with its
 * first event, or returns null when the key was already taken.
 */
export async function carryOutRequest<Parties>(
  ctx: TransactionsContext,
  request: OperationRequest | BillRequest,
  waitMs: number,
  steps: {
    authorize: (viewerId: string) => Promise<Parties>;
    create: (parties: Parties, requestHash: string) => Promise<OperationRow | null>;
  },
): Promise<OperationView> {
  const viewer = requireViewer(ctx);
  const hash = requestHash(request);
  const authorized = await steps.authorize(viewer.userId).then(
    (parties) => ({ ok: true as const, parties }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (!authorized.ok) {
    // A replayed key answers what it made even if the request would be refused now (a wallet
    // archived since), so a refusal only counts once the key is known to be new.
    const existing = await findByKey(ctx.db, viewer.userId, request.idempotencyKey);
    if (existing) return awaitSettlement(ctx, replayOf(existing, hash), waitMs);
    throw authorized.error;
  }

  const created = await steps.create(authorized.parties, hash);
  if (created) {
    return awaitSettlement(ctx, created, waitMs);
  }

  // The key was taken: a retry, or a concurrent request with the same key that inserted first.
  const winner = await findByKey(ctx.db, viewer.userId, request.idempotencyKey);
  if (!winner) throw new Error(`idempotency key conflict without an operation for user ${viewer.userId}`);
  return awaitSettlement(ctx, replayOf(winner, hash), waitMs);
}

/**
 * Decides and writes the operation with its ledger command or settlement event; null when its
 * idempotency key already made one (an earlier or a concurrent request).
 */
async function createOperation(
  ctx: TransactionsContext,
  request: OperationRequest,
  state: OperationParties & { requestHash: string },
): Promise<OperationRow | null> {
  const { services } = ctx;
  const now = services.clock.now();
  const deps = { newId: services.newId, now };
  const meta = { correlationId: ctx.correlationId };
  // An operation settled at once (refused before the ledger) is announced to its users with it.
  const announce = (decision: OperationDecision): Event[] => {
    const { operation, ledgerPost } = decision;
    if (ledgerPost)
      return [createEvent('ledger.post.v1', { aggregateId: operation.id, data: ledgerPost }, meta)];
    const notices = liveNoticesEvent(settledNotices([operation]), meta);
    return [operationSettledEvent(operation, meta), ...(notices ? [notices] : [])];
  };

  if (!spendsAgainstBudget(request)) {
    const decision = decideOperation(request, state, deps);
    const inserted = await services.intake.insert(decision.operation, announce(decision));
    if (inserted) services.metrics.created(decision.operation);
    return inserted ? decision.operation : null;
  }
  const created = await ctx.db.transaction(async (tx) => {
    // Checked in the transaction that inserts the operation: it holds the jar's lock until commit.
    const budget = await checkSpendBudget(tx, request, state, now);
    const decision = decideOperation(request, { ...state, budget }, deps);
    // One jsonb parameter, not drizzle's `.values()`: the same short text for every request.
    const insert = sql`${insertJsonRows(operations, [decision.operation])}
      on conflict (owner_id, idempotency_key) do nothing returning id`;
    const [row] = rowsOf<{ id: string }>(await tx.execute(insert));
    if (!row) return null;
    await enqueue(tx, announce(decision));
    return decision.operation;
  });
  // Counted once committed, as the insert above.
  if (created) services.metrics.created(created);
  return created;
}

/** Reads what the request names and lets the domain rules authorise it (they throw when refused). */
async function authorize(
  ctx: TransactionsContext,
  request: OperationRequest,
  viewerId: string,
): Promise<OperationParties> {
  const { db } = ctx;
  if (isJarRequest(request)) {
    const [jar, toJar] = await Promise.all([
      findJar(db, request.jarId, viewerId),
      request.kind === 'JAR_MOVE' ? findJar(db, request.toJarId, viewerId) : null,
    ]);
    // Postgres reads a uuid out in lower case, as parseId makes it: a stored id needs no parsing.
    const wallet = jar ? await findWallet(db, jar.walletId as WalletId) : null;
    return authorizeJarMove(request, { jar, toJar, wallet }, viewerId);
  }
  const [wallet, candidate] = await findRequestWallets(
    db,
    ctx.services.intake.wallets,
    request.walletId,
    request.kind === 'TRANSFER' ? request.to : null,
    viewerId,
  );
  const source = authorizeSource(request, wallet, viewerId);
  const recipient = request.kind === 'TRANSFER' ? checkRecipient(request, source, candidate) : null;
  return { source, recipient, jarId: null, counterpartyJarId: null };
}

/** The operation once settled, or as it is when `waitMs` runs out first. */
async function awaitSettlement(
  ctx: TransactionsContext,
  row: OperationRow,
  waitMs: number,
): Promise<OperationView> {
  const settled =
    row.status === 'PENDING' ? ((await ctx.services.settlements.waitFor(row.id, waitMs)) ?? row) : row;
  return { row: settled, side: 'SOURCE' };
}

const operationByKey = preparedQuery((db: TransactionsExecutor) =>
  db
    .select()
    .from(operations)
    .where(
      and(
        eq(operations.ownerId, sql.placeholder('ownerId')),
        eq(operations.idempotencyKey, sql.placeholder('idempotencyKey')),
      ),
    )
    .prepare('operation_by_key'),
);

async function findByKey(db: TransactionsExecutor, ownerId: string, idempotencyKey: string) {
  const [row] = await operationByKey(db).execute({ ownerId, idempotencyKey });
  return row ?? null;
}
