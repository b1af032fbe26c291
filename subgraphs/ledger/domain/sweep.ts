import { parseAccount } from '@walletgraph/events';
import type { LedgerAccount } from './accounts.ts';
import type { Posting, SweepCommand } from './command.ts';
import type { RejectionReason } from './rejection.ts';

/** A sweep turned into the postings it asks for now, or why it asks for none. */
export type SweepPostings =
  | { readonly status: 'POSTINGS'; readonly postings: readonly Posting[] }
  | { readonly status: 'REJECTED'; readonly reason: RejectionReason; readonly detail: string }
  | { readonly status: 'DEFERRED'; readonly detail: string };

const reject = (reason: RejectionReason, detail: string): SweepPostings => ({
  status: 'REJECTED',
  reason,
  detail,
});

/**
 * Materialises a sweep against the balances as they are at this point of the batch: the jar's
 * whole balance, or for a sweep `asOf` a moment, `held`: what the jar held then and has not left
 * it since (never more than it holds now), debited from the jar and credited to its wallet's
 * available account. The
 * postings then go through the posting rules like any command's (posting.ts), so a sweep can
 * break no rule a post could not.
 *
 * Rules, in order:
 * - `from` must name a jar and `to` a wallet's available account, else ACCOUNT_NOT_FOUND;
 * - either not open yet: DEFERRED, as for posts (its opening event is on its way);
 * - the jar must belong to `to`'s wallet, else ACCOUNT_NOT_FOUND: the pair asked for does not
 *   exist. Not CURRENCY_MISMATCH, which would be true only by accident (two wallets often share
 *   a currency), and a wallet that is not the jar's is, to this command, one that does not exist;
 * - a closed jar or wallet: WALLET_ARCHIVED, whatever the balance, as every command naming a
 *   closed account is answered;
 * - nothing to move (a jar at zero, or nothing left of what it held at `asOf`): NOTHING_TO_MOVE,
 *   recorded like any refusal, so a replay answers the same.
 */
export function sweepPostings(
  command: SweepCommand,
  accounts: ReadonlyMap<string, LedgerAccount>,
  held?: bigint,
): SweepPostings {
  const { from, to } = command;
  if (parseAccount(from)?.kind !== 'jar') {
    return reject('ACCOUNT_NOT_FOUND', `a sweep empties a jar, and ${from} is not a jar account`);
  }
  const target = parseAccount(to);
  if (target?.kind !== 'wallet') {
    return reject(
      'ACCOUNT_NOT_FOUND',
      `a sweep returns money to available, and ${to} is not an available account`,
    );
  }
  const jar = accounts.get(from);
  const wallet = accounts.get(to);
  if (!jar || !wallet) return { status: 'DEFERRED', detail: `account ${jar ? to : from} is not open yet` };
  if (jar.walletId !== target.walletId) {
    return reject('ACCOUNT_NOT_FOUND', `jar ${from} does not belong to wallet ${target.walletId}`);
  }
  const closed = [jar, wallet].find((a) => a.closed);
  if (closed) return reject('WALLET_ARCHIVED', `account ${closed.id} is closed`);
  let amount = jar.balance;
  if (held !== undefined && held < amount) amount = held;
  if (amount <= 0n) {
    const what = command.asOf ? `nothing it held at ${command.asOf.toISOString()}` : 'nothing';
    return reject('NOTHING_TO_MOVE', `account ${from} holds ${what}`);
  }
  return {
    status: 'POSTINGS',
    postings: [
      { account: from, amount: -amount, currency: jar.currency },
      { account: to, amount, currency: jar.currency },
    ],
  };
}
