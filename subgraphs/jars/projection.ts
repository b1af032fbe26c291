import {
  causedBy,
  createEvent,
  type Event,
  isExternalAccount,
  isHoldAccount,
  jarOfAccount,
} from '@walletgraph/events';
import type { Logger } from '@walletgraph/platform/logger';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, asc, eq, gte, inArray, lt, sql, sum } from 'drizzle-orm';
import type { JarsExecutor } from './context.ts';
import { budgetAlerts, type JarRow, jarMovements, jars, type MovementKind } from './db/schema.ts';
import { achievesGoal, budgetPeriodAt, thresholdsReached } from './domain/progress.ts';

/** A jar's change in one ledger entry. */
interface Movement {
  jarId: string;
  delta: bigint;
  kind: MovementKind;
  /** The jar's balance right after the entry, as the ledger booked it (when the event says). */
  balanceAfter: bigint | null;
}

/**
 * What a ledger entry did to jars: the net change of each jar account it names, and its kind:
 * - SPEND: money leaving the jar in an entry with an external account (paid out), or with a hold
 *   (a bill paid from the jar: the hold carries the money to the biller). It counts against the
 *   jar's budget from that moment.
 * - REFUND: money coming back into the jar from a hold: the bill's hold was released (the biller
 *   refused it), which undoes its spend.
 * - OTHER: anything else (allocations, releases, moves, period returns).
 */
export function movementsOf(
  postings: readonly { account: string; amount: string; balanceAfter?: string | null | undefined }[],
): Movement[] {
  const external = postings.some((p) => isExternalAccount(p.account));
  const hold = postings.some((p) => isHoldAccount(p.account));
  const byJar = new Map<string, { delta: bigint; balanceAfter: bigint | null }>();
  for (const p of postings) {
    const jarId = jarOfAccount(p.account);
    if (!jarId) continue;
    const delta = (byJar.get(jarId)?.delta ?? 0n) + BigInt(p.amount);
    byJar.set(jarId, { delta, balanceAfter: p.balanceAfter == null ? null : BigInt(p.balanceAfter) });
  }
  return [...byJar]
    .filter(([, m]) => m.delta !== 0n)
    .map(([jarId, m]) => ({ ...m, jarId, kind: kindOf(m.delta, { external, hold }) }));
}

function kindOf(delta: bigint, entry: { external: boolean; hold: boolean }): MovementKind {
  if (delta < 0n && (entry.external || entry.hold)) return 'SPEND';
  if (delta > 0n && entry.hold) return 'REFUND';
  return 'OTHER';
}

/**
 * Projects a `ledger.posted.v1` into the jars it touches, then announces what it achieved: a
 * savings goal reached for the first time (`jars.goal_achieved.v1`, once: the jar row keeps
 * `goal_achieved_at`), and each budget threshold its period's spending reached
 * (`jars.budget_threshold_reached.v1`, once per threshold and period: `budget_alerts` is keyed so).
 * The jars are locked first, in id order, so concurrent entries on one jar take turns: each sees
 * the other's movement, and two never both announce the same goal. Returns the jars it moved
 * (none for a redelivery).
 */
export async function projectLedgerEntry(
  tx: JarsExecutor,
  event: Event<'ledger.posted.v1'>,
  logger: Logger,
): Promise<Pick<JarRow, 'id' | 'ownerId'>[]> {
  const movements = movementsOf(event.data.postings);
  if (movements.length === 0) return [];
  const ids = movements.map((m) => m.jarId).sort();
  const locked = await tx
    .select()
    .from(jars)
    .where(inArray(jars.id, ids))
    .orderBy(asc(jars.id))
    .for('update');
  const byId = new Map(locked.map((j) => [j.id, j]));
  const at = new Date(event.occurredAt);
  const moved: Pick<JarRow, 'id' | 'ownerId'>[] = [];
  for (const movement of movements) {
    const jar = byId.get(movement.jarId);
    if (!jar) {
      // The ledger opens jar accounts only from jars' own jar_created events.
      logger.warn(
        { jarId: movement.jarId, entryId: event.data.entryId },
        'ledger entry names an unknown jar',
      );
      continue;
    }
    const [inserted] = await tx
      .insert(jarMovements)
      .values({
        jarId: jar.id,
        entryId: event.data.entryId,
        deltaMinor: movement.delta,
        kind: movement.kind,
        sequence: BigInt(event.data.sequence),
        at,
      })
      .onConflictDoNothing()
      .returning();
    if (!inserted) continue;
    moved.push({ id: jar.id, ownerId: jar.ownerId });
    await announceGoal(tx, jar, movement.balanceAfter ?? (await jarBalance(tx, jar.id)), at, event);
    if (movement.kind === 'SPEND') await announceThresholds(tx, jar, at, event);
  }
  return moved;
}

/**
 * Announces the jar's goal if this entry's balance reaches it for the first time. The balance is
 * the ledger's own after the entry, so entries seen out of order cannot add up to a balance the
 * jar never had.
 */
async function announceGoal(
  tx: JarsExecutor,
  jar: JarRow,
  balance: bigint,
  at: Date,
  cause: Event,
): Promise<void> {
  if (!achievesGoal(jar, balance)) return;
  await tx.update(jars).set({ goalAchievedAt: at }).where(eq(jars.id, jar.id));
  await enqueue(
    tx,
    createEvent(
      'jars.goal_achieved.v1',
      {
        aggregateId: jar.id,
        data: {
          jarId: jar.id,
          walletId: jar.walletId,
          ownerId: jar.ownerId,
          target: jar.goalTargetMinor!.toString(),
          currency: jar.currency,
          achievedAt: at.toISOString(),
        },
      },
      causedBy(cause),
    ),
  );
}

async function announceThresholds(tx: JarsExecutor, jar: JarRow, at: Date, cause: Event): Promise<void> {
  const period = budgetPeriodAt(jar, at);
  if (!period || jar.budgetLimitMinor === null) return;
  const spent = await spentIn(tx, jar.id, period);
  const reached = thresholdsReached(jar.budgetThresholds ?? [], jar.budgetLimitMinor, spent);
  if (reached.length === 0) return;
  const fresh = await tx
    .insert(budgetAlerts)
    .values(
      reached.map((thresholdPercent) => ({
        jarId: jar.id,
        periodStart: period.start,
        thresholdPercent,
        spentMinor: spent,
        reachedAt: at,
      })),
    )
    .onConflictDoNothing()
    .returning();
  if (fresh.length === 0) return;
  await enqueue(
    tx,
    fresh.map((alert) =>
      createEvent(
        'jars.budget_threshold_reached.v1',
        {
          aggregateId: jar.id,
          data: {
            jarId: jar.id,
            walletId: jar.walletId,
            ownerId: jar.ownerId,
            thresholdPercent: alert.thresholdPercent,
            periodStart: period.start.toISOString(),
            spent: spent.toString(),
            limit: jar.budgetLimitMinor!.toString(),
            currency: jar.currency,
          },
        },
        causedBy(cause),
      ),
    ),
  );
}

/** The jar's balance as projected: the sum of its movements (for events that do not carry the ledger's). */
export async function jarBalance(db: JarsExecutor, jarId: string): Promise<bigint> {
  const [row] = await db
    .select({ total: sum(jarMovements.deltaMinor) })
    .from(jarMovements)
    .where(eq(jarMovements.jarId, jarId));
  return BigInt(row?.total ?? 0);
}

/**
 * What was spent out of the jar within `[start, end)`: its SPENDs less its REFUNDs (bills paid
 * from it whose hold came back), so a released bill does not count against the budget. Both are
 * counted by when they happened: a refund for a bill paid in an earlier period lowers this
 * period's spending, never below zero. Thresholds a bill's spend reached stay announced.
 */
export async function spentIn(
  db: JarsExecutor,
  jarId: string,
  period: { start: Date; end: Date },
): Promise<bigint> {
  const [row] = await db
    .select({ total: sql<string | null>`greatest(-sum(${jarMovements.deltaMinor}), 0)` })
    .from(jarMovements)
    .where(
      and(
        eq(jarMovements.jarId, jarId),
        inArray(jarMovements.kind, ['SPEND', 'REFUND']),
        gte(jarMovements.at, period.start),
        lt(jarMovements.at, period.end),
      ),
    );
  return BigInt(row?.total ?? 0);
}
