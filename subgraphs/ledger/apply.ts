import { causedBy, createEvent, type Event, type EventMeta, uuidv7 } from '@walletgraph/events';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { isExternal } from './domain/accounts.ts';
import { accountsNamed, type CommandEvent, commandFrom, type LedgerCommand } from './domain/command.ts';
import {
  type BatchDecision,
  decideBatch,
  type LedgerAccount,
  type RejectionReason,
} from './domain/posting.ts';
import { heldSince } from './held.ts';
import {
  allocateSequences,
  createAccounts,
  insertEntries,
  type LedgerTx,
  loadEntries,
  lockAccounts,
  type NewEntry,
  type NewResult,
  type PostedEntry,
  recordResults,
  storedResults,
  updateBalances,
} from './journal.ts';

/** What a command came to: its own result, or for a replayed key the original one. */
export type CommandResult =
  | { status: 'POSTED'; entry: PostedEntry; replayed: boolean }
  | { status: 'REJECTED'; reason: RejectionReason; detail: string; replayed: boolean }
  /** Not decided: an account it names is not open yet. Nothing written, no answer sent. */
  | { status: 'DEFERRED'; detail: string };

/** An id-only live notice for a wallet's owner, published after commit (ARCHITECTURE.md §8). */
export interface BalanceNotice {
  ownerId: string;
  walletId: string;
  entryId: string;
  operationId: string | null;
  /** How much the wallet's total changed, in minor units (zero for a move between its own accounts). */
  delta: bigint;
  currency: string;
}

export interface AppliedBatch {
  /** One per command, in order. DEFERRED ones must be retried by the caller (the consumer defers them). */
  results: CommandResult[];
  /** One per wallet changed by a new entry (replays change nothing). */
  notices: BalanceNotice[];
}

/** A command to apply, with the meta its answer carries (caused by the message, or by the event that made it). */
export interface CommandRequest {
  command: LedgerCommand;
  meta: EventMeta;
}

/** Applies a batch of command messages (`ledger.post.v1`, `ledger.sweep.v1`), each answered as caused by it. */
export function applyBatch(
  tx: LedgerTx,
  commands: readonly CommandEvent[],
  options: { newId?: () => string } = {},
): Promise<AppliedBatch> {
  return applyCommands(
    tx,
    commands.map((c) => ({ command: commandFrom(c), meta: causedBy(c) })),
    options,
  );
}

/**
 * Applies a batch of commands inside the caller's transaction: locks the accounts (one
 * statement, id order), reads the keys' stored results, lets the domain decide every command in
 * order, then writes set-based (entries, postings, balances, results) and enqueues one
 * `ledger.posted.v1` or `ledger.rejected.v1` per command. A refusal is a result; only an
 * unexpected failure throws, failing the batch (a database error; a hold or a key that a
 * concurrent batch wrote first, which the message-by-message retry then sees as it is).
 * The ledger's one posting path: command messages and jar archiving (jar-archive.ts) both come here.
 */
export async function applyCommands(
  tx: LedgerTx,
  requests: readonly CommandRequest[],
  options: { newId?: () => string } = {},
): Promise<AppliedBatch> {
  const newId = options.newId ?? uuidv7;
  const parsed = requests.map((r) => r.command);
  const touched = new Set(parsed.flatMap(accountsNamed));
  const accounts = await lockAccounts(
    tx,
    [...touched].filter((id) => !isExternal(id)),
  );
  // Read after the locks: a batch that waited for another one holding the same accounts (the
  // usual case for a key sent twice) sees its committed results and replays them, instead of
  // colliding with them on the unique key and failing the whole batch.
  const stored = await storedResults(tx, [...new Set(parsed.map((c) => c.idempotencyKey))]);
  const batch = decideBatch(parsed, { accounts, stored, held: await heldSince(tx, parsed) });

  const entries = await numberEntries(tx, parsed, batch, newId);
  await createAccounts(tx, batch.opened);
  await insertEntries(tx, [...entries.values()]);
  await updateBalances(tx, batch.balances);
  await recordResults(tx, newResults(parsed, batch, entries));

  const storedEntryIds = batch.decisions.flatMap((d) =>
    d.status === 'REPLAYED' && 'stored' in d.of && d.of.stored.outcome === 'POSTED'
      ? [d.of.stored.entryId]
      : [],
  );
  const storedEntries = await loadEntries(tx, storedEntryIds);
  const results = resolveResults(parsed, batch, entries, storedEntries);
  await enqueue(
    tx,
    results.flatMap((result, i) => {
      if (result.status === 'DEFERRED') return [];
      const { idempotencyKey, operationId } = parsed[i]!;
      return [ledgerResultEvent({ idempotencyKey, operationId, result }, requests[i]!.meta)];
    }),
  );
  return { results, notices: noticesFor(results, [...accounts.values(), ...batch.opened]) };
}

/** Gives each posted command its entry id and journal sequence, in decision order. */
async function numberEntries(
  tx: LedgerTx,
  commands: readonly LedgerCommand[],
  batch: BatchDecision,
  newId: () => string,
): Promise<Map<number, NewEntry>> {
  const posted = batch.decisions.flatMap((d, i) => (d.status === 'POSTED' ? [{ d, i }] : []));
  const sequences = await allocateSequences(tx, posted.length);
  return new Map(
    posted.map(({ d, i }, n) => [
      i,
      { id: newId(), sequence: sequences[n]!, command: commands[i]!, postings: d.postings },
    ]),
  );
}

/** The results a key decided for the first time; replays and key reuses record nothing. */
function newResults(
  commands: readonly LedgerCommand[],
  batch: BatchDecision,
  entries: ReadonlyMap<number, NewEntry>,
): NewResult[] {
  return batch.decisions.flatMap((d, i): NewResult[] => {
    const { idempotencyKey: key, requestHash, operationId } = commands[i]!;
    const base = { key, requestHash, operationId };
    if (d.status === 'POSTED') return [{ ...base, outcome: 'POSTED', entryId: entries.get(i)!.id }];
    if (d.status === 'REJECTED' && d.recorded) {
      return [{ ...base, outcome: 'REJECTED', reason: d.reason, detail: d.detail }];
    }
    return [];
  });
}

function resolveResults(
  commands: readonly LedgerCommand[],
  batch: BatchDecision,
  entries: ReadonlyMap<number, NewEntry>,
  storedEntries: ReadonlyMap<string, PostedEntry>,
): CommandResult[] {
  const own = (i: number): CommandResult => {
    const d = batch.decisions[i]!;
    switch (d.status) {
      case 'POSTED': {
        const e = entries.get(i)!;
        const entry = { entryId: e.id, sequence: e.sequence, operationId: commands[i]!.operationId };
        return {
          status: 'POSTED',
          entry: { ...entry, postings: [...d.postings], walletIds: d.walletIds },
          replayed: false,
        };
      }
      case 'REJECTED':
        return { status: 'REJECTED', reason: d.reason, detail: d.detail, replayed: false };
      case 'DEFERRED':
        return { status: 'DEFERRED', detail: d.detail };
      case 'REPLAYED': {
        if ('index' in d.of) return replayOf(own(d.of.index));
        const s = d.of.stored;
        if (s.outcome === 'REJECTED')
          return { status: 'REJECTED', reason: s.reason, detail: s.detail, replayed: true };
        const entry = storedEntries.get(s.entryId);
        if (!entry)
          throw new Error(`stored entry ${s.entryId} of key ${commands[i]!.idempotencyKey} is missing`);
        return { status: 'POSTED', entry, replayed: true };
      }
    }
  };
  return commands.map((_, i) => own(i));
}

/** A command's result, as a later command with the same key receives it. */
function replayOf(result: CommandResult): CommandResult {
  return result.status === 'DEFERRED' ? result : { ...result, replayed: true };
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

function noticesFor(results: readonly CommandResult[], accounts: readonly LedgerAccount[]): BalanceNotice[] {
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
