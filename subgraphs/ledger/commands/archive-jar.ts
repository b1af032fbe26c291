import type { EventMeta } from '@walletgraph/events';
import type { LedgerTx } from '../context.ts';
import { AccountNotOpenYetError, closeAccounts, lockAccounts } from '../db/accounts.ts';
import { accountId } from '../domain/accounts.ts';
import { decideJarArchive } from '../domain/close.ts';
import { jarArchiveSweep } from '../domain/command.ts';
import { type AppliedBatch, applyCommands } from './apply-batch.ts';

/** What an archive that swept nothing applied. */
const nothingApplied: AppliedBatch = { results: [], notices: [] };

/**
 * Answers `jars.jar_archived.v1` in the caller's transaction: sweeps the jar's whole balance back
 * to its wallet's available account (an entry keyed `jar-archive:<jarId>`, answered with
 * `ledger.posted.v1` through the outbox like any post; none when the jar is at zero), then closes
 * the jar's account, so later posts to it are refused (WALLET_ARCHIVED).
 *
 * The jar's and the wallet's accounts are locked first, in one statement in id order (the order
 * every posting batch locks in), so a batch posting to the jar either committed before (and its
 * money is swept) or runs after (and finds the jar closed); the sweep then takes the same posting
 * path as a `ledger.sweep.v1` (applyCommands), whose own locks these already are.
 *
 * Repeated archives change nothing: a closed jar is left as it is. Throws AccountNotOpenYetError
 * (retried) before the jar's `jar_created` has been handled, and an Error when the archive would
 * strand money (the jar is not the wallet's, or its sweep did not post afresh).
 *
 * Resolves with what the sweep applied (its result and balance notices); nothing when there was no sweep.
 */
export async function archiveJar(
  tx: LedgerTx,
  request: { jarId: string; walletId: string; at: Date },
  meta: EventMeta,
): Promise<AppliedBatch> {
  const { jarId, walletId, at } = request;
  const ids = { jar: accountId.jar(jarId), available: accountId.walletAvailable(walletId) };
  const decision = decideJarArchive(ids, await lockAccounts(tx, [ids.jar, ids.available]));
  switch (decision.status) {
    case 'NOT_OPEN_YET':
      throw new AccountNotOpenYetError(`jar ${jarId} cannot be archived yet: ${decision.detail}`);
    case 'REFUSED':
      throw new Error(`jar ${jarId} archived in the wrong wallet: ${decision.detail}`);
    case 'CLOSED':
      return nothingApplied;
    case 'CLOSE':
      await closeAccounts(tx, [ids.jar], at);
      return nothingApplied;
    case 'SWEEP_AND_CLOSE': {
      const applied = await applyCommands(tx, [{ command: jarArchiveSweep(jarId, walletId), meta }]);
      const [result] = applied.results;
      // Anything but a fresh entry (a refusal, or the replay of a key decided before) left the
      // money in the jar: closing it now would strand that money.
      if (result?.status !== 'POSTED' || result.replayed) {
        const why =
          result?.status === 'REJECTED' ? `${result.reason}: ${result.detail}` : 'its key was decided before';
        throw new Error(`jar ${jarId} was not emptied (${why})`);
      }
      await closeAccounts(tx, [ids.jar], at);
      return applied;
    }
  }
}
