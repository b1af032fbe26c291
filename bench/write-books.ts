import { withSql } from '@walletgraph/tests/support/money';
import type { TestStack } from '@walletgraph/tests/support/stack';
import { num, until } from './support.ts';

/**
 * The write scenario's correctness checks, read from the stack's own databases once the load has
 * stopped: money is conserved, and every transfer's idempotency key moved money at most once —
 * exactly once for those the clients saw COMPLETED.
 */

/** What the clients saw, per idempotency key they sent. */
export interface Seen {
  /** Answered COMPLETED. */
  completed: Set<string>;
  /** Answered FAILED: must have moved nothing. */
  failed: Set<string>;
  /** Answered PENDING or not answered at all (an error): may have settled either way since. */
  unsettled: Set<string>;
}

interface TransferRow {
  id: string;
  status: string;
  idempotency_key: string;
  ledger_entry_id: string | null;
}

/**
 * Throws with every violation found; answers a one-line account of what was checked. Waits (at
 * most 30 s) for transfers still PENDING, which the clients gave up waiting for, to settle.
 */
export async function checkBooks(stack: TestStack, seen: Seen, deposited: bigint): Promise<string> {
  const transfers = () =>
    withSql(
      stack.databases.transactions!,
      (sql) => sql<TransferRow[]>`select id, status, idempotency_key, ledger_entry_id::text
        from operations where kind = 'TRANSFER'`,
    );
  let ops: TransferRow[] = [];
  await until(
    'every transfer to settle',
    async () => {
      ops = await transfers();
      return ops.every((op) => op.status !== 'PENDING');
    },
    { timeoutMs: 30_000, intervalMs: 500 },
  );
  const books = await withSql(stack.databases.ledger!, async (sql) => {
    const [sums] = await sql<{ postings: string; available: string; elsewhere: string }[]>`select
      (select coalesce(sum(amount), 0)::text from postings) as postings,
      (select coalesce(sum(balance), 0)::text from accounts where kind = 'WALLET_AVAILABLE') as available,
      (select coalesce(sum(balance), 0)::text from accounts where kind in ('JAR', 'HOLD')) as elsewhere`;
    const duplicated = await sql<{ key: string; n: number }[]>`
      select idempotency_key as key, count(*)::int as n from journal_entries group by 1 having count(*) > 1`;
    const entries = await sql<{ id: string; operation_id: string }[]>`
      select id::text, operation_id::text from journal_entries where operation_id is not null`;
    return { sums: sums!, duplicated, entries };
  });

  const problems: string[] = [];
  const { sums } = books;
  if (BigInt(sums.postings) !== 0n) problems.push(`postings sum to ${sums.postings}, not 0`);
  if (BigInt(sums.available) !== deposited) {
    problems.push(
      `wallets' available balances sum to ${sums.available} minor units, not the ${deposited} deposited ` +
        `(jars and holds: ${sums.elsewhere})`,
    );
  }
  for (const d of books.duplicated) {
    problems.push(`ledger idempotency key ${d.key} has ${d.n} journal entries`);
  }

  const entriesOf = groupBy(books.entries, (e) => e.operation_id);
  const byKey = groupBy(ops, (op) => op.idempotency_key);
  for (const [key, rows] of byKey) {
    if (rows.length > 1) problems.push(`key ${key} has ${rows.length} operations`);
  }

  let transferEntries = 0;
  let late = 0;
  for (const op of ops) {
    const entries = (entriesOf.get(op.id) ?? []).map((e) => e.id);
    transferEntries += entries.length;
    const key = op.idempotency_key;
    if (op.status === 'COMPLETED') {
      if (entries.length !== 1 || entries[0] !== op.ledger_entry_id) {
        problems.push(
          `COMPLETED transfer ${op.id} has journal entries [${entries}], not [${op.ledger_entry_id}]`,
        );
      }
      if (seen.unsettled.has(key)) late++;
      else if (!seen.completed.has(key)) problems.push(`transfer ${key} COMPLETED though answered FAILED`);
    } else if (entries.length > 0) {
      problems.push(`${op.status} transfer ${op.id} has journal entries [${entries}]`);
    }
  }
  const answered = [...seen.completed].map((key) => [key, 'COMPLETED'] as const);
  for (const [key, answer] of [...answered, ...[...seen.failed].map((key) => [key, 'FAILED'] as const)]) {
    const status = byKey.get(key)?.[0]?.status;
    if (status !== answer) problems.push(`transfer ${key} answered ${answer} but is ${status ?? 'missing'}`);
  }
  for (const key of byKey.keys()) {
    if (!seen.completed.has(key) && !seen.failed.has(key) && !seen.unsettled.has(key)) {
      problems.push(`transfer ${key} was never sent by the bench`);
    }
  }
  const completed = ops.filter((op) => op.status === 'COMPLETED').length;
  if (transferEntries !== seen.completed.size + late) {
    problems.push(
      `${transferEntries} transfer journal entries for ${seen.completed.size} transfers seen COMPLETED ` +
        `(+ ${late} settled after their client stopped waiting)`,
    );
  }
  if (problems.length > 0) {
    const shown = problems.slice(0, 20).join('\n');
    throw new Error(`the books do not agree (${problems.length} problems):\n${shown}`);
  }
  return (
    `Checked afterwards in the stack's databases: postings sum to 0; the wallets' available balances ` +
    `sum to the ${num(Number(deposited) / 100, 2)} EUR deposited; no ledger idempotency key has two ` +
    `journal entries; ${num(ops.length)} transfer operations, each under a key the clients sent and no ` +
    `key twice, none PENDING; each of ` +
    `the ${num(completed)} COMPLETED has exactly the one journal entry it names and each FAILED none; ` +
    `${num(transferEntries)} transfer journal entries = ${num(seen.completed.size)} seen COMPLETED by ` +
    `the clients + ${num(late)} settled after their client stopped waiting.`
  );
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
