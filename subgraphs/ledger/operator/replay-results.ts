import type { Event, EventMeta } from '@walletgraph/events';
import type { Database } from '@walletgraph/platform/db/database';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { and, asc, count, gt, isNull, lte, max } from 'drizzle-orm';
import { ledgerResultEvent } from '../commands/command-results.ts';
import type { LedgerSchema } from '../context.ts';
import { loadEntries } from '../db/journal.ts';
import { ledgerCommands, outbox } from '../db/schema.ts';

export interface ReplayReport {
  /** `ledger.posted.v1` events enqueued again. */
  posted: number;
  /** `ledger.rejected.v1` events enqueued again. */
  rejected: number;
  /** The outbox sequence of the last event enqueued (0 when none): published once the relay passes it. */
  lastSeq: bigint;
}

/**
 * Re-publishes the ledger's answer for every key it has decided (reconcile): one
 * `ledger.posted.v1` per stored entry, one `ledger.rejected.v1` per stored refusal, as new
 * messages enqueued in the ledger's own outbox (so the running relay publishes them, in order).
 * Every kind of command is stored alike: a sweep's answer carries the postings it was decided
 * with (read from the journal, not decided again), a NOTHING_TO_MOVE stays a refusal, and a jar
 * archive's sweep (`jar-archive:<jarId>`) is answered like the `ledger.posted.v1` it first sent.
 * Reads and writes only the ledger's database, and changes no ledger state: consumers of these
 * answers are idempotent by content (an operation settles once), so a replay corrects what a lost
 * answer left behind and changes nothing else. Pages of `pageSize` keys, one transaction each.
 */
export async function replayLedgerResults(
  db: Database<LedgerSchema>,
  meta: EventMeta,
  options: { pageSize?: number } = {},
): Promise<ReplayReport> {
  const pageSize = options.pageSize ?? 500;
  const report: ReplayReport = { posted: 0, rejected: 0, lastSeq: 0n };
  let after: string | null = null;
  for (;;) {
    const from: string | null = after;
    const page: { idempotencyKey: string }[] = await db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(ledgerCommands)
        .where(from === null ? undefined : gt(ledgerCommands.idempotencyKey, from))
        .orderBy(asc(ledgerCommands.idempotencyKey))
        .limit(pageSize);
      const entries = await loadEntries(
        tx,
        rows.flatMap((r) => (r.entryId ? [r.entryId] : [])),
      );
      const events = rows.map((r): Event => {
        const { idempotencyKey, operationId } = r;
        if (r.outcome === 'REJECTED') {
          report.rejected++;
          const result = {
            status: 'REJECTED',
            reason: r.reason!,
            detail: r.detail ?? '',
            replayed: true,
          } as const;
          return ledgerResultEvent({ idempotencyKey, operationId, result }, meta);
        }
        const entry = entries.get(r.entryId!);
        if (!entry) throw new Error(`stored entry ${r.entryId} of key ${idempotencyKey} is missing`);
        report.posted++;
        return ledgerResultEvent(
          {
            idempotencyKey,
            operationId: entry.operationId,
            result: { status: 'POSTED', entry, replayed: true },
          },
          meta,
        );
      });
      await enqueue(tx, events);
      const [last] = await tx.select({ seq: max(outbox.seq) }).from(outbox);
      if (events.length > 0 && last?.seq) report.lastSeq = BigInt(last.seq);
      return rows;
    });
    if (page.length < pageSize) return report;
    after = page.at(-1)!.idempotencyKey;
  }
}

/**
 * Waits until the ledger's relay has published every outbox row up to `lastSeq` (the relay of the
 * running ledger service publishes in sequence order). False when `timeoutMs` passed first.
 */
export async function awaitPublished(
  db: Database<LedgerSchema>,
  lastSeq: bigint,
  options: { timeoutMs: number; pollMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const [row] = await db
      .select({ n: count() })
      .from(outbox)
      .where(and(isNull(outbox.publishedAt), lte(outbox.seq, lastSeq)));
    if ((row?.n ?? 0) === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}
