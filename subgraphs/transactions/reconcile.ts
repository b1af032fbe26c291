import { and, eq, inArray, ne } from 'drizzle-orm';
import { operations } from './db/schema.ts';
import type { TransactionsExecutor } from './services.ts';

/** What transactions' operations looked like before and after the ledger replayed its answers. */
export interface OperationsDrift {
  /** Operations PENDING before the replay. */
  pendingBefore: number;
  /** Of those, settled by the replayed answers: drift corrected. */
  corrected: string[];
  /** Still PENDING once the wait ended (their command has no ledger result, or it is still in flight). */
  stillPending: number;
}

/** The ids of the operations still PENDING (transactions' own database only). */
export async function pendingOperationIds(db: TransactionsExecutor): Promise<string[]> {
  const rows = await db
    .select({ id: operations.id })
    .from(operations)
    .where(eq(operations.status, 'PENDING'));
  return rows.map((r) => r.id);
}

/**
 * Waits until none of `pendingBefore` changes any more (or `timeoutMs` passes) and reports which
 * were settled meanwhile: the operations the replayed ledger answers corrected.
 */
export async function settledSince(
  db: TransactionsExecutor,
  pendingBefore: readonly string[],
  options: { timeoutMs: number; quietMs?: number; pollMs?: number },
): Promise<OperationsDrift> {
  const { timeoutMs, quietMs = 1500, pollMs = 200 } = options;
  const deadline = Date.now() + timeoutMs;
  const settled = async () =>
    pendingBefore.length === 0
      ? []
      : (
          await db
            .select({ id: operations.id })
            .from(operations)
            .where(and(inArray(operations.id, [...pendingBefore]), ne(operations.status, 'PENDING')))
        ).map((r) => r.id);
  let corrected = await settled();
  let quietSince = Date.now();
  while (
    corrected.length < pendingBefore.length &&
    Date.now() < deadline &&
    Date.now() - quietSince < quietMs
  ) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const now = await settled();
    if (now.length !== corrected.length) quietSince = Date.now();
    corrected = now;
  }
  return {
    pendingBefore: pendingBefore.length,
    corrected,
    stillPending: pendingBefore.length - corrected.length,
  };
}
