import { parseAccount } from '@walletgraph/events';
import { type LedgerAccount, mayGoNegative } from './accounts.ts';
import { heldKey, type LedgerCommand, type Posting } from './command.ts';
import type { RejectionReason } from './rejection.ts';
import { sweepPostings } from './sweep.ts';

/** What a key already decided in an earlier transaction. */
export type StoredResult =
  | { readonly outcome: 'POSTED'; readonly requestHash: string; readonly entryId: string }
  | {
      readonly outcome: 'REJECTED';
      readonly requestHash: string;
      readonly reason: RejectionReason;
      readonly detail: string;
    };

/** A posting as booked: with the account's balance after the entry (null for external accounts). */
export interface BookedPosting extends Posting {
  readonly balanceAfter: bigint | null;
}

export type Decision =
  | { readonly status: 'POSTED'; readonly postings: readonly BookedPosting[]; readonly walletIds: string[] }
  /** `recorded`: false when the key's result is already someone else's (IDEMPOTENCY_KEY_REUSED). */
  | {
      readonly status: 'REJECTED';
      readonly reason: RejectionReason;
      readonly detail: string;
      readonly recorded: boolean;
    }
  /** The key was decided before: by a stored result, or by an earlier command of this batch. */
  | { readonly status: 'REPLAYED'; readonly of: { stored: StoredResult } | { index: number } }
  /**
   * Not decided yet: a wallet or jar account it names is not open, because the event opening it
   * (`wallet.opened.v1`, `jars.jar_created.v1`) travels on another queue and has not arrived.
   * Nothing is recorded; the command is retried later.
   */
  | { readonly status: 'DEFERRED'; readonly detail: string };

export interface LedgerState {
  /** Every existing non-external account the commands name (missing ones do not exist). */
  readonly accounts: ReadonlyMap<string, LedgerAccount>;
  /** Stored results for the commands' keys. */
  readonly stored: ReadonlyMap<string, StoredResult>;
  /**
   * For each sweep `asOf` a moment (by `heldKey`): what its jar held then and has not left it
   * since, read from the journal before the batch.
   */
  readonly held?: ReadonlyMap<string, bigint>;
}

export interface BatchDecision {
  /** One per command, in the commands' order. */
  readonly decisions: readonly Decision[];
  /** Existing accounts whose balance the batch changed, with their balance after it. */
  readonly balances: ReadonlyMap<string, bigint>;
  /** Accounts first used by a posted command (holds, externals): to create, with their final balance. */
  readonly opened: readonly LedgerAccount[];
}

/** The largest amount or balance a bigint column holds. */
export const MAX_MINOR_UNITS = 2n ** 63n - 1n;

/**
 * Decides a batch of commands IN ORDER against in-memory balances, so a command sees the credits
 * of those before it. Each command is posted whole or rejected with a reason; a rejection
 * changes nothing and never affects its neighbours. A key seen before (stored, or earlier in the
 * batch) is a replay when it asks the same thing, and IDEMPOTENCY_KEY_REUSED when it does not.
 * A command naming a wallet or jar account that is not open yet is DEFERRED: it decides nothing
 * (not even its key), so a later command of the batch is decided as if it had not been there.
 * A sweep takes its amount from the balance at its place in the batch (sweep.ts), so it moves
 * what the posts before it left, and the commands after it see the jar empty.
 */
export function decideBatch(commands: readonly LedgerCommand[], state: LedgerState): BatchDecision {
  const working = new Map(state.accounts);
  const opened = new Set<string>();
  const changed = new Set<string>();
  const firstInBatch = new Map<string, { index: number; requestHash: string }>();

  const decisions = commands.map((command, index): Decision => {
    const seen = state.stored.get(command.idempotencyKey) ?? firstInBatch.get(command.idempotencyKey);
    if (seen) {
      if (seen.requestHash !== command.requestHash) {
        const detail = `idempotency key ${command.idempotencyKey} was used for a different request`;
        return { status: 'REJECTED', reason: 'IDEMPOTENCY_KEY_REUSED', detail, recorded: false };
      }
      return { status: 'REPLAYED', of: 'index' in seen ? { index: seen.index } : { stored: seen } };
    }
    const outcome = decideCommand(command, working, state.held);
    if (outcome.status === 'DEFERRED') return outcome;
    firstInBatch.set(command.idempotencyKey, { index, requestHash: command.requestHash });
    if (outcome.status === 'REJECTED') return { ...outcome, recorded: true };
    for (const account of outcome.accounts) {
      if (!working.has(account.id)) opened.add(account.id);
      else if (!opened.has(account.id) && account.kind !== 'EXTERNAL') changed.add(account.id);
      working.set(account.id, account);
    }
    return { status: 'POSTED', postings: outcome.postings, walletIds: outcome.walletIds };
  });

  return {
    decisions,
    balances: new Map([...changed].map((id) => [id, working.get(id)!.balance])),
    opened: [...opened].map((id) => working.get(id)!),
  };
}

type Outcome =
  | { status: 'REJECTED'; reason: RejectionReason; detail: string }
  | { status: 'DEFERRED'; detail: string }
  | { status: 'POSTED'; postings: BookedPosting[]; walletIds: string[]; accounts: LedgerAccount[] };

const reject = (reason: RejectionReason, detail: string): Outcome => ({ status: 'REJECTED', reason, detail });

/** One command against the current balances: a sweep first becomes the postings it asks for now. */
function decideCommand(
  command: LedgerCommand,
  accounts: ReadonlyMap<string, LedgerAccount>,
  held: ReadonlyMap<string, bigint> | undefined,
): Outcome {
  switch (command.kind) {
    case 'POST':
      return decidePostings(command.postings, accounts, command.holdExpiresAt);
    case 'SWEEP': {
      const key = heldKey(command);
      const swept = sweepPostings(command, accounts, key === null ? undefined : (held?.get(key) ?? 0n));
      // A sweep moves between a jar and its wallet: it never opens a hold.
      return swept.status === 'POSTINGS' ? decidePostings(swept.postings, accounts, null) : swept;
    }
  }
}

/**
 * Postings against the current balances: the rules of docs/architecture.md §4, in a fixed order.
 * A hold they open takes `holdExpiresAt`.
 */
function decidePostings(
  postings: readonly Posting[],
  accounts: ReadonlyMap<string, LedgerAccount>,
  holdExpiresAt: Date | null,
): Outcome {
  if (postings.length < 2) return reject('UNBALANCED', 'an entry needs at least two postings');
  const totals = new Map<string, bigint>();
  for (const [line, p] of postings.entries()) {
    if (p.amount === 0n) return reject('UNBALANCED', `posting ${line} moves no money`);
    if (p.amount > MAX_MINOR_UNITS || -p.amount > MAX_MINOR_UNITS) {
      return reject('UNBALANCED', `posting ${line} is beyond the ledger's range`);
    }
    totals.set(p.currency, (totals.get(p.currency) ?? 0n) + p.amount);
  }
  for (const [currency, total] of totals) {
    if (total !== 0n) return reject('UNBALANCED', `postings in ${currency} sum to ${total}, not zero`);
  }

  // Accounts the command would open lazily take their currency from their name (external) or
  // from the first posting to them (hold); wallet and jar accounts are opened by their own events,
  // and a command that comes before them waits for them (commands name only wallets their sender
  // has seen open, so the event is on its way).
  const involved = new Map<string, LedgerAccount>();
  for (const p of postings) {
    if (involved.has(p.account)) continue;
    const account = accounts.get(p.account) ?? openable(p, holdExpiresAt);
    if (!account) {
      if (opensByEvent(p.account))
        return { status: 'DEFERRED', detail: `account ${p.account} is not open yet` };
      return reject('ACCOUNT_NOT_FOUND', `account ${p.account} does not exist`);
    }
    involved.set(p.account, account);
  }
  for (const account of involved.values()) {
    if (account.closed) return reject('WALLET_ARCHIVED', `account ${account.id} is closed`);
  }
  for (const p of postings) {
    const account = involved.get(p.account)!;
    if (p.currency !== account.currency) {
      return reject('CURRENCY_MISMATCH', `account ${p.account} holds ${account.currency}, not ${p.currency}`);
    }
  }

  const after = new Map<string, LedgerAccount>();
  for (const account of involved.values()) {
    if (account.kind === 'EXTERNAL') {
      after.set(account.id, account);
      continue;
    }
    const change = postings.filter((p) => p.account === account.id).reduce((sum, p) => sum + p.amount, 0n);
    const balance = account.balance + change;
    if (balance < 0n && !mayGoNegative(account.kind)) {
      return reject('INSUFFICIENT_FUNDS', `account ${account.id} has ${account.balance}, needs ${-change}`);
    }
    if (balance > MAX_MINOR_UNITS) return reject('UNBALANCED', `account ${account.id} would overflow`);
    after.set(account.id, { ...account, balance });
  }

  const walletIds = [...new Set([...after.values()].flatMap((a) => (a.walletId ? [a.walletId] : [])))];
  return {
    status: 'POSTED',
    postings: postings.map((p) => {
      const account = after.get(p.account)!;
      return { ...p, balanceAfter: account.kind === 'EXTERNAL' ? null : account.balance };
    }),
    walletIds,
    accounts: [...after.values()],
  };
}

/** Whether an account is opened by an event (a wallet's or a jar's), not by a posting naming it. */
function opensByEvent(account: string): boolean {
  const kind = parseAccount(account)?.kind;
  return kind === 'wallet' || kind === 'jar';
}

/** The account a posting may open by naming it, or null; a hold opens with the command's expiry. */
function openable(posting: Posting, holdExpiresAt: Date | null): LedgerAccount | null {
  const name = parseAccount(posting.account);
  const base = { id: posting.account, walletId: null, ownerId: null, balance: 0n, closed: false };
  switch (name?.kind) {
    case 'external':
      return { ...base, kind: 'EXTERNAL', currency: name.currency, expiresAt: null };
    case 'hold':
      return { ...base, kind: 'HOLD', currency: posting.currency, expiresAt: holdExpiresAt };
    case 'wallet':
    case 'jar':
    case undefined:
      return null;
  }
}
