import { createEvent, ledgerAccount } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, asc, gt, inArray, ne } from 'drizzle-orm';
import type { JarsSchema, PeriodProcessor, RoundResult } from './context.ts';
import { jars, periodMoves } from './db/schema.ts';
import { DEFAULT_GRACE_DAYS, type DueMove, dueMove } from './domain/period-moves.ts';
import { lockJar } from './jars.ts';

export interface PeriodProcessorOptions {
  db: DatabaseHandle<JarsSchema>;
  clock: Clock;
  logger: Logger;
  /** How often a round runs; default one minute (period ends need no finer timing). */
  intervalMs?: number;
  /** Days an expense jar's leftover waits after its period; default 3. */
  graceDays?: number;
  /** Jars read per page of a round; default 500. */
  pageSize?: number;
}

const LOCK_NAME = 'jars:period-processor';

/**
 * Period processing (docs/architecture.md §6), run by one replica at a time (an advisory lock per
 * round). Each due move is decided in its own transaction, under the jar's row lock: a
 * `period_moves` row with a deterministic key and the ledger command carrying that key commit
 * together, so a second round, another replica or a rerun after a crash finds the row and sends
 * nothing, and a command sent twice is applied once by the ledger. Both kinds of move are sweeps
 * `asOf` the period's end: the ledger returns what the jar held then and has not left it since.
 */
export function createPeriodProcessor(options: PeriodProcessorOptions): PeriodProcessor {
  const log = options.logger.child({ component: 'period-processor' });
  const intervalMs = options.intervalMs ?? 60_000;
  const graceDays = options.graceDays ?? DEFAULT_GRACE_DAYS;
  const pageSize = options.pageSize ?? 500;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<RoundResult> | null = null;

  async function round(): Promise<RoundResult> {
    const lease = await options.db.tryLock(LOCK_NAME);
    if (!lease) return { leader: false, decided: 0 };
    try {
      const now = options.clock.now();
      let decided = 0;
      let after = '00000000-0000-0000-0000-000000000000';
      for (;;) {
        const page = await options.db.db
          .select()
          .from(jars)
          .where(and(gt(jars.id, after), ne(jars.kind, 'SAVINGS'), inArray(jars.status, ['ACTIVE'])))
          .orderBy(asc(jars.id))
          .limit(pageSize);
        if (page.length === 0) break;
        after = page[page.length - 1]!.id;
        const due = page.flatMap((jar) => dueMove(jar, now, graceDays) ?? []);
        const done = due.length
          ? new Set(
              (
                await options.db.db
                  .select({ key: periodMoves.idempotencyKey })
                  .from(periodMoves)
                  .where(
                    inArray(
                      periodMoves.idempotencyKey,
                      due.map((d) => d.idempotencyKey),
                    ),
                  )
              ).map((r) => r.key),
            )
          : new Set<string>();
        for (const move of due) {
          if (!done.has(move.idempotencyKey) && (await decide(move, now))) decided++;
        }
        if (page.length < pageSize) break;
      }
      if (decided > 0) log.info({ decided }, 'period moves decided');
      return { leader: true, decided };
    } finally {
      await lease.release();
    }
  }

  /** Decides one move under the jar's lock; false when it was decided already or is no longer due. */
  async function decide(move: DueMove, now: Date): Promise<boolean> {
    return options.db.db.transaction(async (tx) => {
      const jar = await lockJar(tx, move.jarId);
      if (!jar || dueMove(jar, now, graceDays)?.idempotencyKey !== move.idempotencyKey) return false;
      // The ledger moves, under its own locks, exactly what the jar held at the period's end and
      // has not left it since (late spending in the grace period, releases): money allocated for
      // the new period stays. Exact whatever this projection has seen, and nothing twice.
      const command = createEvent(
        'ledger.sweep.v1',
        {
          aggregateId: jar.id,
          data: {
            idempotencyKey: move.idempotencyKey,
            operationId: null,
            description:
              move.action === 'INCOME_RESET'
                ? 'Income jar reset at period end'
                : 'Budget leftover returned after the grace period',
            from: ledgerAccount.jar(jar.id),
            to: ledgerAccount.walletAvailable(jar.walletId),
            asOf: move.periodEnd.toISOString(),
          },
        },
        { correlationId: `period:${move.idempotencyKey}` },
      );
      const [row] = await tx
        .insert(periodMoves)
        .values({ ...move, decidedAt: now })
        .onConflictDoNothing()
        .returning();
      if (!row) return false;
      await enqueue(tx, command);
      return true;
    });
  }

  function runOnce(): Promise<RoundResult> {
    // One round at a time in this process: a scheduled round and a manual one share the run.
    running ??= round().finally(() => {
      running = null;
    });
    return running;
  }

  return {
    runOnce,
    start() {
      if (timer) return;
      timer = setInterval(() => {
        runOnce().catch((err: unknown) => log.warn({ err }, 'period round failed; next round retries'));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await running?.catch(() => {});
    },
  };
}
