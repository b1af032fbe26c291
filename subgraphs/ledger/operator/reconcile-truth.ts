import type { Database } from '@walletgraph/platform/db/database';
import { eq, isNotNull } from 'drizzle-orm';
import type { LedgerSchema } from '../context.ts';
import { accounts, ledgerCommands } from '../db/schema.ts';
import { jarIdOf } from '../domain/accounts.ts';

/** How the ledger decided an operation's command: what the operation's status must agree with. */
export type OperationOutcome =
  | { outcome: 'POSTED'; entryId: string }
  | { outcome: 'REJECTED'; reason: string };

/**
 * What other services' projections are checked against (reconcile): each jar account's balance,
 * and the decision for every command sent for an operation. Reads only the ledger's database.
 */
export async function ledgerTruth(db: Database<LedgerSchema>): Promise<{
  jarBalances: Map<string, bigint>;
  operationOutcomes: Map<string, OperationOutcome>;
}> {
  const jars = await db
    .select({ id: accounts.id, balance: accounts.balance })
    .from(accounts)
    .where(eq(accounts.kind, 'JAR'));
  const commands = await db
    .select({
      operationId: ledgerCommands.operationId,
      outcome: ledgerCommands.outcome,
      entryId: ledgerCommands.entryId,
      reason: ledgerCommands.reason,
    })
    .from(ledgerCommands)
    .where(isNotNull(ledgerCommands.operationId));
  return {
    jarBalances: new Map(jars.map((j) => [jarIdOf(j.id), j.balance])),
    operationOutcomes: new Map(
      commands.map((c): [string, OperationOutcome] => [
        c.operationId!,
        c.outcome === 'POSTED'
          ? { outcome: 'POSTED', entryId: c.entryId! }
          : { outcome: 'REJECTED', reason: c.reason! },
      ]),
    ),
  };
}
