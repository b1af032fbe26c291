import { connectDatabase } from '@walletgraph/platform/db/connect';
import { expect } from 'vitest';
import * as ledgerSchema from '../../subgraphs/ledger/db/schema.ts';
import { checkLedger, formatReport, type LedgerReport } from '../../subgraphs/ledger/operator/invariants.ts';
import { balanceOf, type Person, whenPostgresHasRoom, withSql } from './money.ts';
import type { TestStack } from './stack.ts';

/**
 * The books of a test stack, read back from the services' own databases after a workload: the
 * ledger's invariants, the operations transactions stored, and whether the two agree with each
 * other and with what the clients saw.
 */

/** The ledger invariant check (`pnpm ledger:check`), run against the stack's ledger database. */
export async function ledgerReport(stack: TestStack): Promise<LedgerReport> {
  return whenPostgresHasRoom(async () => {
    const connection = connectDatabase(stack.databases.ledger!, ledgerSchema);
    try {
      return await checkLedger(connection.db);
    } finally {
      await connection.close();
    }
  });
}

export async function expectLedgerInvariants(stack: TestStack): Promise<LedgerReport> {
  const report = await ledgerReport(stack);
  expect(report.ok, formatReport(report)).toBe(true);
  return report;
}

export interface StoredOperation {
  id: string;
  ownerId: string;
  walletId: string;
  kind: string;
  status: string;
  failureCode: string | null;
  amountMinor: bigint;
  counterpartyWalletId: string | null;
  idempotencyKey: string;
  ledgerEntryId: string | null;
}

/** Every operation the transactions subgraph holds on these wallets (either side). */
export async function storedOperations(stack: TestStack, walletIds: string[]): Promise<StoredOperation[]> {
  return withSql(stack.databases.transactions!, async (sql) => {
    const rows = await sql<
      {
        id: string;
        owner_id: string;
        wallet_id: string;
        kind: string;
        status: string;
        failure_code: string | null;
        amount_minor: string;
        counterparty_wallet_id: string | null;
        idempotency_key: string;
        ledger_entry_id: string | null;
      }[]
    >`select id, owner_id, wallet_id, kind, status, failure_code, amount_minor::text, counterparty_wallet_id,
             idempotency_key, ledger_entry_id
      from operations
      where wallet_id = any(${walletIds}::uuid[]) or counterparty_wallet_id = any(${walletIds}::uuid[])`;
    return rows.map((r) => ({
      id: r.id,
      ownerId: r.owner_id,
      walletId: r.wallet_id,
      kind: r.kind,
      status: r.status,
      failureCode: r.failure_code,
      amountMinor: BigInt(r.amount_minor),
      counterpartyWalletId: r.counterparty_wallet_id,
      idempotencyKey: r.idempotency_key,
      ledgerEntryId: r.ledger_entry_id,
    }));
  });
}

/**
 * Journal entries per operation id, and each wallet's stored total (its available account plus
 * its jars' accounts), from the ledger.
 */
export async function ledgerBooks(
  stack: TestStack,
): Promise<{ entriesByOperation: Map<string, string[]>; totals: Map<string, bigint> }> {
  return withSql(stack.databases.ledger!, async (sql) => {
    const entries = await sql<{ id: string; operation_id: string }[]>`
      select id, operation_id from journal_entries where operation_id is not null`;
    const entriesByOperation = new Map<string, string[]>();
    for (const e of entries) {
      entriesByOperation.set(e.operation_id, [...(entriesByOperation.get(e.operation_id) ?? []), e.id]);
    }
    const accounts = await sql<{ wallet_id: string; total: string }[]>`
      select wallet_id, sum(balance)::text as total from accounts
      where kind in ('WALLET_AVAILABLE', 'JAR') group by wallet_id`;
    return { entriesByOperation, totals: new Map(accounts.map((a) => [a.wallet_id, BigInt(a.total)])) };
  });
}

/**
 * What COMPLETED operations imply for each wallet's total: deposits + incoming − outgoing − jar
 * spends. Moves between available and jars (and allocation rules, period moves) leave it unchanged.
 */
export function impliedBalances(ops: readonly StoredOperation[]): Map<string, bigint> {
  const balances = new Map<string, bigint>();
  const add = (wallet: string, delta: bigint) => balances.set(wallet, (balances.get(wallet) ?? 0n) + delta);
  for (const op of ops) {
    if (op.status !== 'COMPLETED') continue;
    if (op.kind === 'DEPOSIT') add(op.walletId, op.amountMinor);
    else if (op.kind === 'WITHDRAWAL') add(op.walletId, -op.amountMinor);
    else if (op.kind === 'TRANSFER') {
      add(op.walletId, -op.amountMinor);
      add(op.counterpartyWalletId!, op.amountMinor);
    } else if (op.kind === 'JAR_SPEND') add(op.walletId, -op.amountMinor);
    else if (op.kind === 'JAR_ALLOCATION' || op.kind === 'JAR_RELEASE' || op.kind === 'JAR_MOVE')
      add(op.walletId, 0n);
    else throw new Error(`unexpected ${op.kind} operation ${op.id}`);
  }
  return balances;
}

/**
 * The books agree: every operation settled, a COMPLETED one has exactly one journal entry (the one
 * it names) and a FAILED one none, and every wallet's balance — through the gateway and as the
 * ledger stores it — is what its COMPLETED operations imply.
 */
export async function expectBooksAgree(
  stack: TestStack,
  people: readonly Person[],
): Promise<StoredOperation[]> {
  const ops = await storedOperations(
    stack,
    people.map((p) => p.walletId),
  );
  expect(ops.filter((op) => op.status === 'PENDING').map((op) => op.id)).toEqual([]);
  const { entriesByOperation, totals } = await ledgerBooks(stack);
  const applied = new Map(ops.map((op) => [op.id, entriesByOperation.get(op.id) ?? []]));
  const twice = [...entriesByOperation].filter(([, entries]) => entries.length > 1);
  expect(twice, 'operations with more than one journal entry').toEqual([]);
  for (const op of ops) {
    const entries = applied.get(op.id)!;
    if (op.status === 'COMPLETED') expect(entries, `entries of ${op.id}`).toEqual([op.ledgerEntryId]);
    else expect(entries, `entries of FAILED ${op.id}`).toEqual([]);
  }
  const implied = impliedBalances(ops);
  for (const p of people) {
    const want = implied.get(p.walletId) ?? 0n;
    const { total } = await balanceOf(p);
    expect(total, `${p.name}'s total`).toBe(want);
    expect(totals.get(p.walletId) ?? 0n, `${p.name}'s stored total`).toBe(want);
    expect(total >= 0n, `${p.name}'s balance is not negative`).toBe(true);
  }
  return ops;
}
