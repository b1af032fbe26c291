import { causedBy } from '@walletgraph/events';
import type { BatchHandlerContext, ConsumerDefinition } from '@walletgraph/platform/subgraph';
import { applyBatch } from './commands/apply-batch.ts';
import { archiveJar } from './commands/archive-jar.ts';
import { closeArchivedWallet, requestWalletClose } from './commands/close-wallet.ts';
import type { LedgerSchema, LedgerServices, LedgerTx } from './context.ts';
import { walletClosedAt } from './db/accounts.ts';
import * as schema from './db/schema.ts';
import { accountId } from './domain/accounts.ts';
import type { CommandEvent } from './domain/command.ts';

/**
 * Commands in flight for the ledger's command consumer: the batch a transaction applies. Larger
 * batches share a commit among more commands; 64 keeps a batch's statements small.
 */
export const LEDGER_COMMAND_PREFETCH = 64;

/**
 * What the ledger consumes:
 * - `ledger.accounts`: opens a wallet's available account when the wallet opens and a jar's account
 *   when the jar is created (recording the owner, so balance reads check ownership locally; a jar
 *   of a closed wallet opens closed). Idempotent by account id. It also arbitrates archiving:
 *   `wallet.archive_requested.v1` closes the wallet's accounts only if all are at zero, under the
 *   same account locks as the posting batches (commands/close-wallet.ts), and answers `ledger.wallet_closed.v1` or
 *   `ledger.wallet_close_refused.v1`; `wallet.archived.v1`, which follows a close, is idempotent.
 *   `jars.jar_archived.v1` sweeps the jar's balance back to available and closes the jar's
 *   account, under the same locks, through the posting path (commands/archive-jar.ts). Both archive
 *   handlers share this queue with the account openings, so an archive normally finds its
 *   accounts open; when it does not (a retried opening), it throws and is retried.
 * - `ledger.commands`: `ledger.post.v1` and `ledger.sweep.v1` in batches, each batch one
 *   transaction (commands/apply-batch.ts). The platform batches per message type, so a batch holds posts or
 *   sweeps, never both; the two kinds serialise on the account locks like any two batches, and
 *   the domain decides a mixed batch in order all the same (decideBatch). A
 *   command that arrives before its wallet's `wallet.opened.v1` (or its jar's `jar_created`) is
 *   DEFERRED, not refused: the two travel on different queues, and its sender only names wallets
 *   it saw open, so the account is on its way. The batch commits without it and the consumer
 *   retries that one message with its backoff; after the last retry it goes to the dead-letter
 *   queue (an operator replays it with replay-dlq once the account exists).
 */
export const consumers = (services: LedgerServices): ConsumerDefinition<LedgerSchema>[] => [
  {
    name: 'ledger.accounts',
    handlers: {
      async 'wallet.opened.v1'(event, tx) {
        const { walletId, ownerId, currency } = event.data;
        await tx
          .insert(schema.accounts)
          .values({
            id: accountId.walletAvailable(walletId),
            kind: 'WALLET_AVAILABLE',
            currency,
            walletId,
            ownerId,
          })
          .onConflictDoNothing();
      },
      async 'jars.jar_created.v1'(event, tx) {
        const { jarId, walletId, ownerId, currency } = event.data;
        const closedAt = await walletClosedAt(tx, walletId);
        await tx
          .insert(schema.accounts)
          .values({ id: accountId.jar(jarId), kind: 'JAR', currency, walletId, ownerId, closedAt })
          .onConflictDoNothing();
      },
      async 'wallet.archive_requested.v1'(event, tx) {
        const { requestId, walletId } = event.data;
        await requestWalletClose(
          tx,
          { requestId, walletId, at: new Date(event.occurredAt) },
          causedBy(event),
        );
      },
      async 'wallet.archived.v1'(event, tx) {
        await closeArchivedWallet(tx, event.data.walletId, new Date(event.occurredAt));
      },
      async 'jars.jar_archived.v1'(event, tx, ctx) {
        const { jarId, walletId } = event.data;
        const at = new Date(event.occurredAt);
        const swept = await archiveJar(tx, { jarId, walletId, at }, causedBy(event));
        // The sweep is a batch of one command on the posting path: counted as the batches are.
        if (swept.results.length > 0) ctx.afterCommit(() => services.metrics.committed(1, swept.results));
      },
    },
  },
  {
    name: 'ledger.commands',
    prefetch: LEDGER_COMMAND_PREFETCH,
    // One batch at a time: commands the relay published in order are decided in that order (a
    // deposit before the allocation that spends it), and batches still grow with the load.
    batch: { ordered: true },
    batchHandlers: {
      'ledger.post.v1': (events, tx, ctx) => applyCommandBatch(services, events, tx, ctx),
      'ledger.sweep.v1': (events, tx, ctx) => applyCommandBatch(services, events, tx, ctx),
    },
  },
];

/** One batch of command messages: applied (its owners' live notices with it), its early ones deferred. */
async function applyCommandBatch(
  services: LedgerServices,
  events: readonly CommandEvent[],
  tx: LedgerTx,
  ctx: BatchHandlerContext,
): Promise<void> {
  const applied = await applyBatch(tx, events);
  applied.results.forEach((result, i) => {
    if (result.status === 'DEFERRED') ctx.defer(events[i]!, result.detail);
  });
  // Counted once committed: a batch that rolls back is retried, and counted then.
  ctx.afterCommit(() => services.metrics.committed(events.length, applied.results));
}
