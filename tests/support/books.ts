import { ledgerAccount } from '@walletgraph/events';
import { connectDatabase } from '@walletgraph/platform/db/connect';
import { expect } from 'vitest';
import * as ledgerSchema from '../../subgraphs/ledger/db/schema.ts';
import { checkLedger, formatReport, type LedgerReport } from '../../subgraphs/ledger/operator/invariants.ts';
import { billLedgerKey } from '../../subgraphs/transactions/domain/bill-payments.ts';
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

/** A journal entry as the books compare it: its id and the idempotency key of its command. */
export interface LedgerEntry {
  id: string;
  key: string;
}

/**
 * Journal entries per operation id, each wallet's stored total (its available account plus its
 * jars' accounts), and what every hold account holds, from the ledger.
 */
export async function ledgerBooks(stack: TestStack): Promise<{
  entriesByOperation: Map<string, LedgerEntry[]>;
  totals: Map<string, bigint>;
  holds: Map<string, bigint>;
}> {
  return withSql(stack.databases.ledger!, async (sql) => {
    const entries = await sql<{ id: string; key: string; operation_id: string }[]>`
      select id, idempotency_key as key, operation_id from journal_entries
      where operation_id is not null order by sequence`;
    const entriesByOperation = new Map<string, LedgerEntry[]>();
    for (const e of entries) {
      const entry = { id: e.id, key: e.key };
      entriesByOperation.set(e.operation_id, [...(entriesByOperation.get(e.operation_id) ?? []), entry]);
    }
    const accounts = await sql<{ wallet_id: string; total: string }[]>`
      select wallet_id, sum(balance)::text as total from accounts
      where kind in ('WALLET_AVAILABLE', 'JAR') group by wallet_id`;
    const holds = await sql<{ id: string; balance: string }[]>`
      select id, balance::text from accounts where kind = 'HOLD'`;
    return {
      entriesByOperation,
      totals: new Map(accounts.map((a) => [a.wallet_id, BigInt(a.total)])),
      holds: new Map(holds.map((h) => [h.id, BigInt(h.balance)])),
    };
  });
}

/** The sum of every posting to `account` (an external account keeps no stored balance). */
export async function postedTo(stack: TestStack, account: string): Promise<bigint> {
  return withSql(stack.databases.ledger!, async (sql) => {
    const [row] = await sql<{ total: string }[]>`
      select coalesce(sum(amount), 0)::text as total from postings where account_id = ${account}`;
    return BigInt(row!.total);
  });
}

/**
 * The journal entries an operation settled as `status` must have made, by their commands' keys.
 * A transfer, deposit or jar move: one entry when COMPLETED (the one it names), none when FAILED.
 * A bill payment: its hold, then its capture (COMPLETED, naming the capture) or its release
 * (FAILED after the biller refused); a bill whose hold was refused or never asked for has none.
 */
function expectedEntries(op: StoredOperation, entries: readonly LedgerEntry[]): string[] {
  if (op.kind !== 'BILL_PAYMENT') return op.status === 'COMPLETED' ? [op.ledgerEntryId!] : [];
  const hold = billLedgerKey(op.id, 'hold');
  if (op.status === 'COMPLETED') return [hold, billLedgerKey(op.id, 'capture')];
  return entries.length === 0 ? [] : [hold, billLedgerKey(op.id, 'release')];
}

/**
 * What COMPLETED operations imply for each wallet's total: deposits + incoming − outgoing − jar
 * spends − bills paid (a settled bill's hold holds nothing). Moves between available and jars (and allocation rules, period moves) leave it unchanged.
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
    } else if (op.kind === 'JAR_SPEND' || op.kind === 'BILL_PAYMENT') add(op.walletId, -op.amountMinor);
    else if (op.kind === 'JAR_ALLOCATION' || op.kind === 'JAR_RELEASE' || op.kind === 'JAR_MOVE')
      add(op.walletId, 0n);
    else throw new Error(`unexpected ${op.kind} operation ${op.id}`);
  }
  return balances;
}

/**
 * The books agree: every operation settled with the journal entries its kind and outcome make
 * (expectedEntries), no bill's hold still holds money, and every wallet's balance — through the
 * gateway and as the ledger stores it — is what its COMPLETED operations imply.
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
  const { entriesByOperation, totals, holds } = await ledgerBooks(stack);
  for (const op of ops) {
    const entries = entriesByOperation.get(op.id) ?? [];
    const keys = entries.map((e) => (op.kind === 'BILL_PAYMENT' ? e.key : e.id));
    expect(keys, `entries of ${op.status} ${op.kind} ${op.id}`).toEqual(expectedEntries(op, entries));
    if (op.kind === 'BILL_PAYMENT' && op.status === 'COMPLETED') {
      expect(op.ledgerEntryId, `${op.id} names its capture`).toBe(entries[1]!.id);
    }
  }
  const openHolds = ops
    .filter((op) => op.kind === 'BILL_PAYMENT' && (holds.get(ledgerAccount.hold(op.id)) ?? 0n) !== 0n)
    .map((op) => op.id);
  expect(openHolds, 'bills whose hold still holds money').toEqual([]);
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

/** The jars subgraph's announcements of one type for a jar, from its outbox, oldest first. */
export async function jarAnnouncements(
  stack: TestStack,
  type: string,
  jarId: string,
): Promise<Record<string, unknown>[]> {
  return withSql(stack.databases.jars!, async (sql) => {
    const rows = await sql<{ data: Record<string, unknown> }[]>`
      select envelope->'data' as data from outbox where type = ${type} and envelope->'data'->>'jarId' = ${jarId}
      order by seq`;
    return rows.map((r) => r.data);
  });
}
