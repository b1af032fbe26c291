import { createEvent } from '@walletgraph/events';
import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { DomainError } from '@walletgraph/platform/errors';
import { parseId, type WalletId } from '@walletgraph/platform/ids';
import { oncePer } from '@walletgraph/platform/once-per';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { readProjection } from '@walletgraph/platform/projection-read';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, asc, count, eq } from 'drizzle-orm';
import type { JarsContext, JarsExecutor } from './context.ts';
import { allocationRules, type JarRow, jars, walletProjection } from './db/schema.ts';
import { checkArchivable, decideNewJar } from './domain/jar.ts';
import { jarCreatedData } from './domain/jar-created.ts';
import {
  type CreateJarInputShape,
  parseCreateJar,
  parseUpdateJarGoal,
  type UpdateJarGoalInputShape,
} from './inputs.ts';

/** `createJar`: a new EXPENSE or SAVINGS jar, announced with `jars.jar_created.v1` from the same transaction. */
export async function createJar(ctx: JarsContext, input: CreateJarInputShape): Promise<JarRow> {
  const viewer = requireViewer(ctx);
  const now = ctx.services.clock.now();
  const request = parseCreateJar(input, now);
  await awaitOwnWallet(ctx, request.walletId);
  return ctx.db.transaction(async (tx) => {
    // Locked: concurrent createJar calls count the wallet's jars one after another.
    const wallet = request.walletId ? await findWallet(tx, request.walletId, { lock: true }) : null;
    const [counted] = wallet
      ? await tx.select({ n: count() }).from(jars).where(eq(jars.walletId, wallet.walletId))
      : [];
    const jar = decideNewJar(
      request,
      { wallet, jarsInWallet: counted?.n ?? 0, viewerId: viewer.userId },
      { newId: ctx.services.newId, now },
    );
    const [row] = await tx.insert(jars).values(jar).returning();
    await enqueue(
      tx,
      createEvent(
        'jars.jar_created.v1',
        { aggregateId: jar.id, data: jarCreatedData(jar) },
        { correlationId: ctx.correlationId },
      ),
    );
    return row!;
  });
}

/**
 * `archiveJar`: marks the jar ARCHIVED and announces `jars.jar_archived.v1` in one transaction;
 * the ledger, on that event, returns the jar's whole balance to available and closes its account
 * in one step of its own (so no allocation can land in between), and the transactions subgraph
 * stops accepting moves. A retry of an archived jar returns it unchanged.
 */
export async function archiveJar(ctx: JarsContext, id: string): Promise<JarRow> {
  const viewer = requireViewer(ctx);
  const jarId = parseId<'Jar'>(id);
  return ctx.db.transaction(async (tx) => {
    const jar = checkArchivable(jarId ? await lockJar(tx, jarId) : null, viewer.userId);
    if (jar.status === 'ARCHIVED') return jar;
    // An archived jar takes no more deposits' shares: its rule goes with it.
    await tx.delete(allocationRules).where(eq(allocationRules.jarId, jar.id));
    const [row] = await tx
      .update(jars)
      .set({ status: 'ARCHIVED', archivedAt: ctx.services.clock.now() })
      .where(eq(jars.id, jar.id))
      .returning();
    await enqueue(
      tx,
      createEvent(
        'jars.jar_archived.v1',
        { aggregateId: jar.id, data: { jarId: jar.id, walletId: jar.walletId, ownerId: jar.ownerId } },
        { correlationId: ctx.correlationId },
      ),
    );
    return row!;
  });
}

/** `updateJarGoal`: a new target (and deadline) for a SAVINGS jar; clearing `achievedAt` re-arms it. */
export async function updateJarGoal(ctx: JarsContext, input: UpdateJarGoalInputShape): Promise<JarRow> {
  const viewer = requireViewer(ctx);
  const { jarId, goal } = parseUpdateJarGoal(input, ctx.services.clock.now());
  return ctx.db.transaction(async (tx) => {
    const jar = jarId ? await lockJar(tx, jarId) : null;
    if (!jar || jar.ownerId !== viewer.userId) {
      throw new DomainError('NOT_FOUND', 'input.jarId: jar not found', { field: 'input.jarId' });
    }
    if (jar.kind !== 'SAVINGS')
      throw new DomainError('BAD_USER_INPUT', 'input.jarId: only a SAVINGS jar has a goal', {
        field: 'input.jarId',
      });
    if (jar.status !== 'ACTIVE') {
      throw new DomainError('JAR_ARCHIVED', 'input.jarId: the jar is archived', { field: 'input.jarId' });
    }
    if (jar.currency !== goal.target.currency) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `input.target.currency: the jar holds ${jar.currency}, not ${goal.target.currency}`,
        { field: 'input.target.currency' },
      );
    }
    const [row] = await tx
      .update(jars)
      .set({ goalTargetMinor: goal.target.minor, goalDeadline: goal.deadline, goalAchievedAt: null })
      .where(eq(jars.id, jar.id))
      .returning();
    return row!;
  });
}

/** The jar, locked for the rest of the transaction (goal checks and archiving take turns). */
export async function lockJar(tx: JarsExecutor, id: string): Promise<JarRow | null> {
  const [row] = await tx.select().from(jars).where(eq(jars.id, id)).for('update');
  return row ?? null;
}

/** The wallet as jars knows it, or null; `lock` holds its row for the rest of the transaction. */
export async function findWallet(db: JarsExecutor, walletId: string, options: { lock?: boolean } = {}) {
  const query = db.select().from(walletProjection).where(eq(walletProjection.walletId, walletId));
  const [row] = options.lock ? await query.for('update') : await query;
  return row ?? null;
}

/**
 * Waits (outside any transaction) for a wallet the caller opened a moment ago, which may still be
 * on its way here (readProjection); returns at once for anything else.
 */
export async function awaitOwnWallet(ctx: JarsContext, walletId: WalletId | null): Promise<void> {
  if (!ctx.viewer || !walletId) return;
  const viewerId = ctx.viewer.userId;
  await readProjection(walletId, () => findWallet(ctx.db, walletId), {
    until: (row) => row?.ownerId === viewerId,
  });
}

const jarLoader = oncePer((ctx: JarsContext) => rowsByIdLoader(ctx.db, jars, jars.id));

/**
 * `Query.jar` and Jar references: the viewer's jar, or null (another user's jar is
 * indistinguishable from an unknown one). Batched: a page of operations or rules naming many
 * jars reads them with one query.
 */
export async function visibleJar(ctx: JarsContext, id: string): Promise<JarRow | null> {
  const jarId = parseId<'Jar'>(id);
  if (!ctx.viewer || !jarId) return null;
  const row = await jarLoader(ctx).load(jarId);
  return row && row.ownerId === ctx.viewer.userId ? row : null;
}

/** `Wallet.jars`: the viewer's jars in the wallet, oldest first (the Income jar leads). */
export async function walletJars(ctx: JarsContext, id: string): Promise<JarRow[]> {
  const walletId = parseId<'Wallet'>(id);
  if (!ctx.viewer || !walletId) return [];
  return ctx.db
    .select()
    .from(jars)
    .where(and(eq(jars.walletId, walletId), eq(jars.ownerId, ctx.viewer.userId)))
    .orderBy(asc(jars.createdAt), asc(jars.id));
}
