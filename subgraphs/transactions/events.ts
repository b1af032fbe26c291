import { causedBy, type Event } from '@walletgraph/events';
import { enqueueNotices } from '@walletgraph/platform/live/notices';
import type { BatchHandlerContext, ConsumerDefinition } from '@walletgraph/platform/subgraph';
import { isBillAnswer, settleBillAnswers } from './bills/bill-settlement.ts';
import type { TransactionsExecutor, TransactionsServices } from './context.ts';
import type * as schema from './db/schema.ts';
import type { LedgerOutcome } from './domain/settlement.ts';
import {
  projectJarArchived,
  projectJarCreated,
  projectUserEmail,
  projectWalletArchived,
  projectWalletOpened,
} from './projections.ts';
import { recordScheduleRuns } from './schedule-runs.ts';
import { type LedgerAnswer, settledNotices, settleOperations } from './settlement.ts';

type Schema = typeof schema;

/**
 * What the transactions subgraph consumes:
 * - `transactions.projections`: wallets (owner, currency, default, status), jars (owner, wallet,
 *   currency, status, budget) and users' verified emails, so requests can be checked (a spend against a
 *   budget that blocks overspending too) and transfers addressed by email without asking other
 *   services;
 * - `transactions.settlement`: the ledger's answers, which settle operations (a bill payment's
 *   move it step by step: bills/bill-settlement.ts). Once a batch
 *   committed, it ends the waits of this process's mutations for them without a read, and
 *   tells the users concerned (`operationUpdated`, `settledNotices`) from the same transaction,
 *   as the ledger writes its balance notices with its entries.
 */
export const consumers = (services: TransactionsServices): ConsumerDefinition<Schema>[] => {
  /**
   * Settles a batch's operations and tells their users in the same transaction; once committed,
   * ends this process's waits.
   */
  const settle = async (
    answers: readonly LedgerAnswer[],
    tx: TransactionsExecutor,
    ctx: BatchHandlerContext,
  ) => {
    const billAnswers = answers.filter(isBillAnswer);
    const plain = billAnswers.length === 0 ? answers : answers.filter((a) => !isBillAnswer(a));
    const bills = await settleBillAnswers(tx, billAnswers, services.logger);
    const settled = [...(await settleOperations(tx, plain, services.logger)), ...bills.settled];
    await recordScheduleRuns(tx, settled, services.scheduleMaxFailures);
    ctx.afterCommit(() => {
      services.settlements.decided(settled);
      services.metrics.settled(settled);
    });
    // A hold placed changes the operation too (`hold.status` OPEN): its owner hears of it.
    const [first] = answers;
    if (first) await enqueueNotices(tx, settledNotices([...settled, ...bills.held]), first.meta);
  };
  return [
    {
      name: 'transactions.projections',
      handlers: {
        // Only a proven address is a payment address: registration and profile events carry
        // an email nobody has shown they receive mail at.
        async 'identity.email_verified.v1'(event, tx) {
          const { userId, email } = event.data;
          await projectUserEmail(tx, { userId, email, at: new Date(event.occurredAt) });
        },
        async 'wallet.opened.v1'(event, tx) {
          const { walletId, ownerId, currency, isDefault } = event.data;
          await projectWalletOpened(tx, {
            walletId,
            ownerId,
            currency,
            isDefault,
            openedAt: new Date(event.occurredAt),
          });
        },
        async 'wallet.archived.v1'(event, tx) {
          // Thrown, so the broker retries: the wallet.opened.v1 it depends on is on its way.
          if (!(await projectWalletArchived(tx, event.data.walletId))) {
            throw new Error(`wallet ${event.data.walletId} archived before it was seen opening`);
          }
        },
        async 'jars.jar_created.v1'(event, tx) {
          const { jarId, walletId, ownerId, name, kind, currency, budget } = event.data;
          await projectJarCreated(tx, {
            jarId,
            walletId,
            ownerId,
            name,
            kind,
            currency,
            createdAt: new Date(event.occurredAt),
            budgetLimitMinor: budget ? BigInt(budget.limit) : null,
            budgetPeriod: budget?.period ?? null,
            blocksOverspend: budget?.blocksOverspend ?? null,
          });
        },
        async 'jars.jar_archived.v1'(event, tx) {
          // Thrown, so the broker retries: the jars.jar_created.v1 it depends on is on its way.
          if (!(await projectJarArchived(tx, event.data.jarId))) {
            throw new Error(`jar ${event.data.jarId} archived before it was seen created`);
          }
        },
      },
    },
    {
      name: 'transactions.settlement',
      // Entries no operation asked for (allocations, period sweeps) are not even delivered; the
      // rare refusals of those come, and settle nothing.
      topics: { 'ledger.posted.v1': ['operation.*'] },
      // Set-based: a batch of answers settles its operations with one UPDATE.
      batchHandlers: {
        async 'ledger.posted.v1'(events, tx, ctx) {
          const answers = events.map((e) => answerOf(e, { result: 'posted', entryId: e.data.entryId }));
          await settle(answers, tx, ctx);
        },
        async 'ledger.rejected.v1'(events, tx, ctx) {
          const answers = events.map((e) => answerOf(e, { result: 'rejected', reason: e.data.reason }));
          await settle(answers, tx, ctx);
        },
      },
    },
  ];
};

/** A ledger answer as the settlement reads it. */
function answerOf(
  event: Event<'ledger.posted.v1' | 'ledger.rejected.v1'>,
  outcome: LedgerOutcome,
): LedgerAnswer {
  return {
    operationId: event.data.operationId,
    idempotencyKey: event.data.idempotencyKey,
    outcome,
    at: new Date(event.occurredAt),
    meta: causedBy(event),
  };
}
