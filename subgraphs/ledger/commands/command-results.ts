import { createEvent, type Event, type EventMeta } from '@walletgraph/events';
import type { PostedEntry } from '../db/journal.ts';
import type { LedgerAccount } from '../domain/accounts.ts';
import type { RejectionReason } from '../domain/rejection.ts';

/** What a command came to: its own result, or for a replayed key the original one. */
export type CommandResult =
  | { status: 'POSTED'; entry: PostedEntry; replayed: boolean }
  | { status: 'REJECTED'; reason: RejectionReason; detail: string; replayed: boolean }
  /** Not decided: an account it names is not open yet. Nothing written, no answer sent. */
  | { status: 'DEFERRED'; detail: string };

/** An id-only live notice for a wallet's owner, published after commit (docs/architecture.md §8). */
export interface BalanceNotice {
  ownerId: string;
  walletId: string;
  entryId: string;
  operationId: string | null;
  /** How much the wallet's total changed, in minor units (zero for a move between its own accounts). */
  delta: bigint;
  currency: string;
}

/**
 * The answer event of a decided key: `ledger.posted.v1` with its entry, or `ledger.rejected.v1`
 * with its reason. Also what a replay (reconcile) re-publishes for a stored result.
 */
export function ledgerResultEvent(
  answer: {
    idempotencyKey: string;
    operationId: string | null;
    result: Exclude<CommandResult, { status: 'DEFERRED' }>;
  },
  meta: EventMeta,
): Event {
  const { idempotencyKey, operationId, result } = answer;
  if (result.status === 'REJECTED') {
    return createEvent(
      'ledger.rejected.v1',
      {
        aggregateId: idempotencyKey,
        data: { idempotencyKey, operationId, reason: result.reason, detail: result.detail },
      },
      meta,
    );
  }
  const { entry } = result;
  return createEvent(
    'ledger.posted.v1',
    {
      aggregateId: entry.entryId,
      data: {
        idempotencyKey,
        operationId: entry.operationId,
        entryId: entry.entryId,
        sequence: entry.sequence.toString(),
        postings: entry.postings.map((p) => ({
          account: p.account,
          amount: p.amount.toString(),
          currency: p.currency,
          balanceAfter: p.balanceAfter === null ? null : p.balanceAfter.toString(),
        })),
        walletIds: entry.walletIds,
      },
    },
    meta,
  );
}

/** The live notices of a batch's new entries: one per wallet an entry changed, for its owner. */
export function noticesFor(
  results: readonly CommandResult[],
  accounts: readonly LedgerAccount[],
): BalanceNotice[] {
  const owners = new Map(
    accounts.flatMap((a): [string, string][] => (a.walletId && a.ownerId ? [[a.walletId, a.ownerId]] : [])),
  );
  const walletOf = new Map(
    accounts.flatMap((a): [string, string][] => (a.walletId ? [[a.id, a.walletId]] : [])),
  );
  return results.flatMap((r) => {
    if (r.status !== 'POSTED' || r.replayed) return [];
    const { entryId, operationId, postings } = r.entry;
    return r.entry.walletIds.flatMap((walletId) => {
      const ownerId = owners.get(walletId);
      if (!ownerId) return [];
      // The change of the wallet's total: its available account and its jars (a jar move is 0).
      const mine = postings.filter((p) => walletOf.get(p.account) === walletId);
      const delta = mine.reduce((sum, p) => sum + p.amount, 0n);
      return [{ ownerId, walletId, entryId, operationId, delta, currency: mine[0]?.currency ?? '' }];
    });
  });
}
