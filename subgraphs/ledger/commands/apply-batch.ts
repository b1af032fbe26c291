import { causedBy, type EventMeta, isExternalAccount, uuidv7 } from '@walletgraph/events';
import { type AddressedNotice, liveNoticesEvent } from '@walletgraph/platform/live/notices';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import type { LedgerTx } from '../context.ts';
import { createAccounts, lockAccounts, updateBalances } from '../db/accounts.ts';
import { heldSince } from '../db/held-since.ts';
import {
  allocateSequences,
  insertEntries,
  loadEntries,
  type NewEntry,
  type NewResult,
  type PostedEntry,
  recordResults,
  storedResults,
} from '../db/journal.ts';
import { accountsNamed, type CommandEvent, commandFrom, type LedgerCommand } from '../domain/command.ts';
import { type BatchDecision, decideBatch } from '../domain/posting.ts';
import { type BalanceNotice, type CommandResult, ledgerResultEvent, noticesFor } from './command-results.ts';

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
 * The ledger's one posting path: command messages and jar archiving (archive-jar.ts) both come here.
 */
export async function applyCommands(
  tx: LedgerTx,
  requests: readonly CommandRequest[],
  options: { newId?: () => string } = {},
): Promise<AppliedBatch> {
  const newId = options.newId ?? uuidv7;
  const parsed = requests.map((r) => r.command);
  const touched = new Set(parsed.flatMap(accountsNamed));
  // External accounts are never locked and keep no balance row (docs/architecture.md §4).
  const accounts = await lockAccounts(
    tx,
    [...touched].filter((id) => !isExternalAccount(id)),
  );
  // Read after the locks: a batch that waited for another one holding the same accounts (the
  // usual case for a key sent twice) sees its committed results and replays them, instead of
  // colliding with them on the unique key and failing the whole batch.
  // Queries issued together run pipelined on the transaction's one connection: sent in one
  // write, answered in one round trip, executed by Postgres one after another in issue order.
  const [stored, held] = await Promise.all([
    storedResults(tx, [...new Set(parsed.map((c) => c.idempotencyKey))]),
    heldSince(tx, parsed),
  ]);
  const batch = decideBatch(parsed, { accounts, stored, held });

  const storedEntryIds = batch.decisions.flatMap((d) =>
    d.status === 'REPLAYED' && 'stored' in d.of && d.of.stored.outcome === 'POSTED'
      ? [d.of.stored.entryId]
      : [],
  );
  const [entries, storedEntries] = await Promise.all([
    numberEntries(tx, parsed, batch, newId),
    loadEntries(tx, storedEntryIds),
  ]);
  const results = resolveResults(parsed, batch, entries, storedEntries);
  const notices = noticesFor(results, [...accounts.values(), ...batch.opened]);
  // The owners' live notices go out with the entries, in the same transaction: they reach the
  // live feed if and only if the batch commits.
  const noticesEvent = liveNoticesEvent(notices.map(balanceChanged), requests[0]!.meta);
  const answers = results.flatMap((result, i) => {
    if (result.status === 'DEFERRED') return [];
    const { idempotencyKey, operationId } = parsed[i]!;
    return [ledgerResultEvent({ idempotencyKey, operationId, result }, requests[i]!.meta)];
  });
  // Every write of the batch in one round trip, in dependency order (accounts and entries before
  // the postings and results that reference them). The first failure fails the transaction.
  await Promise.all([
    createAccounts(tx, batch.opened),
    insertEntries(tx, [...entries.values()]),
    updateBalances(tx, batch.balances),
    recordResults(tx, newResults(parsed, batch, entries)),
    enqueue(tx, noticesEvent ? [...answers, noticesEvent] : answers),
  ]);
  return { results, notices };
}

/** A wallet's balance notice, addressed to its owner. */
function balanceChanged({
  ownerId,
  walletId,
  entryId,
  operationId,
  delta,
  currency,
}: BalanceNotice): AddressedNotice {
  return {
    userId: ownerId,
    topic: 'balanceChanged',
    notice: { walletId, entryId, operationId, delta: delta.toString(), currency },
  };
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
