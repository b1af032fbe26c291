import { waitFor } from '@walletgraph/platform/test/support/infra';
import { DepositDocument, type OperationFieldsFragment } from '@walletgraph/sdk';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { accountId } from '../../subgraphs/ledger/domain/accounts.ts';
import { expectBooksAgree, expectLedgerInvariants, storedOperations } from '../support/books.ts';
import { deposit, eur, newKey, person, pool, settled, transfer } from '../support/money.ts';
import type { TestStack } from '../support/stack.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Crashes in real mode: a service SIGKILLed (no graceful shutdown, no chance to ack, commit or
 * flush anything) while money is moving, then started again. Whatever was accepted settles, once.
 */

/** Bounds waiting for recovery (a restart, redelivery, retries), never performance. */
const SETTLE_TIMEOUT_MS = 90_000;

const stack = useRealStack();

/** A deterministic mix: amounts and pairs follow from the index alone. */
const amountOf = (i: number) => BigInt(100 + ((i * 7_919) % 4_900));

/** A ledger batch transaction seen open in pg_stat_activity, and how it ended. */
interface CaughtBatch {
  /** What the batch was running when caught. */
  query: string;
  /** Its transaction id (xid8). */
  xid: string;
  /** `pg_xact_status` once the killed ledger's backend has gone: `aborted` if it never committed. */
  ended: string;
}

/**
 * SIGKILLs the ledger while one of its batch transactions is provably open. The test holds a row
 * lock on `account`, which the burst keeps posting to, so the next batch needing it waits in its
 * `for update` with its transaction open and already written to (its inbox rows: it has a
 * transaction id). Once pg_stat_activity shows that wait, the ledger is killed and the lock let
 * go; the batch's transaction then ends aborted, never committed: redelivery must apply it.
 */
async function killLedgerMidBatch(stack: TestStack, account: string): Promise<CaughtBatch> {
  const sql = postgres(stack.databases.ledger!, { max: 2, onnotice: () => {} });
  try {
    const release = Promise.withResolvers<void>();
    const holding = Promise.withResolvers<number>();
    const holder = sql.begin(async (tx) => {
      const [row] = await tx<{ pid: number }[]>`
        select pg_backend_pid() as pid from accounts where id = ${account} for update`;
      holding.resolve(row!.pid);
      await release.promise;
    });
    let caught: { query: string; xid: string; current: string };
    try {
      const holderPid = await Promise.race([holding.promise, holder.then(() => 0)]);
      caught = await waitFor(
        'a ledger batch transaction waiting for the held account',
        async () => {
          const [row] = await sql<{ query: string; xid: string; current: string }[]>`
            select query, backend_xid::text as xid, pg_snapshot_xmax(pg_current_snapshot())::text as current
            from pg_stat_activity
            where datname = current_database() and backend_xid is not null and wait_event_type = 'Lock'
              and ${holderPid}::int = any(pg_blocking_pids(pid))`;
          return row;
        },
        { timeoutMs: 30_000, intervalMs: 5 },
      );
      await stack.kill('ledger');
    } finally {
      release.resolve();
      await holder;
    }
    const xid = fullXid(caught.xid, caught.current);
    const ended = await waitFor(
      `transaction ${xid} of the killed ledger to end`,
      async () => {
        const [row] = await sql<{ status: string }[]>`select pg_xact_status(${xid}::xid8) as status`;
        return row!.status === 'in progress' ? undefined : row!.status;
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    return { query: caught.query, xid, ended };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The xid8 of a 32-bit `backend_xid`, from a current xid8: the epoch, less one if the xid wrapped since. */
function fullXid(xid: string, current: string): string {
  const now = BigInt(current);
  const low = BigInt(xid);
  // The caught xid may be a little past the snapshot's xmax (assigned after it was taken), so only
  // a low part far above the current one (more than 2^31) means it was assigned before a wraparound.
  const epoch = (now >> 32n) - (low > (now & 0xffff_ffffn) + 0x8000_0000n ? 1n : 0n);
  return ((epoch << 32n) | low).toString();
}

describe('crashes while money moves, real mode', () => {
  it('the ledger killed while commands flow: every operation settles, none is applied twice', async () => {
    const people = await Promise.all(['lea', 'lou', 'lia', 'lex'].map((n) => person(stack, n)));
    const funded = await Promise.all(people.map(async (p) => settled(p.client, await deposit(p, 10_000n))));
    for (const op of funded) expect(op.status).toBe('COMPLETED');

    // 120 operations, a third deposits and the rest transfers (some of them overdrawing), sent
    // without waiting for settlement; once a third of them have been accepted, the ledger dies
    // while one of its batches is open.
    const burst = Array.from({ length: 120 }, (_, i) => ({
      i,
      from: people[i % people.length]!,
      to: people[(i + 1 + (i % 3)) % people.length]!,
      minor: amountOf(i),
      key: newKey(`ledger-crash-${i}`),
      kind: i % 3 === 0 ? ('DEPOSIT' as const) : ('TRANSFER' as const),
    }));
    let accepted = 0;
    let killed: Promise<CaughtBatch> | undefined;
    const replies = await pool(burst, 8, async (b) => {
      const op =
        b.kind === 'DEPOSIT'
          ? await deposit(b.from, b.minor, b.key, 0)
          : await transfer(b.from, b.to, b.minor, b.key, 0);
      if (++accepted === 40) {
        killed = killLedgerMidBatch(stack, accountId.walletAvailable(people[0]!.walletId));
        // Awaited after the burst; until then a failure must not surface as an unhandled rejection.
        killed.catch(() => {});
      }
      return op;
    });
    expect(killed, 'the ledger was killed during the burst').toBeDefined();
    const caught = await killed!;
    expect(caught.query, 'the batch was caught locking its accounts').toMatch(/for update/i);
    expect(caught.ended, `the caught batch (transaction ${caught.xid}) never committed`).toBe('aborted');
    await stack.restart('ledger');

    // The transactions subgraph accepted every request (it does not need the ledger to do so).
    const ops = replies.map((r, i) => {
      if (r.status === 'rejected') throw new Error(`operation ${i} was not accepted`, { cause: r.reason });
      return r.value;
    });
    const outcomes = await pool(ops, 8, (op, i) => settled(burst[i]!.from.client, op, SETTLE_TIMEOUT_MS));
    outcomes.forEach((o, i) => {
      if (o.status === 'rejected') throw new Error(`operation ${i} did not settle`, { cause: o.reason });
      const op = o.value;
      if (burst[i]!.kind === 'DEPOSIT') expect(op, `deposit ${i}`).toMatchObject({ status: 'COMPLETED' });
      else if (op.status === 'FAILED') expect(op.failureCode, `transfer ${i}`).toBe('INSUFFICIENT_FUNDS');
      else expect(op.status, `transfer ${i}`).toBe('COMPLETED');
    });

    const stored = await expectBooksAgree(stack, people);
    expect(stored.length).toBe(people.length + burst.length);
    await expectLedgerInvariants(stack);
  }, 240_000);

  it('the transactions subgraph killed right after accepting mutations: nothing lost, each settles once', async () => {
    const people = await Promise.all(['tia', 'tom'].map((n) => person(stack, n)));
    const requests = Array.from({ length: 60 }, (_, i) => ({
      who: people[i % people.length]!,
      minor: amountOf(i),
      key: newKey(`tx-crash-${i}`),
    }));

    // Deposits without waiting; transactions dies as soon as ten replies are in. Requests it had
    // not answered by then fail, and may or may not have committed: the client retries those.
    let answered = 0;
    let killed: Promise<void> | undefined;
    const first = await pool(requests, 8, async (r): Promise<OperationFieldsFragment | null> => {
      const res = await r.who.client
        .request(DepositDocument, {
          input: { walletId: r.who.walletId, amount: eur(r.minor), idempotencyKey: r.key },
          waitMs: 0,
        })
        .catch(() => null);
      const op = res?.errors ? null : (res?.data?.deposit ?? null);
      if (op && ++answered === 10) killed = stack.kill('transactions');
      return op;
    });
    expect(killed, 'transactions was killed during the burst').toBeDefined();
    await killed;
    const acceptedOps = new Map<string, OperationFieldsFragment>();
    first.forEach((r, i) => {
      if (r.status === 'fulfilled' && r.value) acceptedOps.set(requests[i]!.key, r.value);
    });
    expect(acceptedOps.size).toBeGreaterThanOrEqual(10);
    await stack.restart('transactions');

    // Every accepted operation is still there and settles COMPLETED.
    await pool([...acceptedOps.entries()], 8, async ([key, op]) => {
      const r = requests.find((x) => x.key === key)!;
      const done = await settled(r.who.client, op, SETTLE_TIMEOUT_MS);
      expect(done).toMatchObject({
        id: op.id,
        status: 'COMPLETED',
        amount: { minorUnits: r.minor.toString() },
      });
    });

    // The client retries every request with its key: an accepted one answers with its operation.
    const retried = await pool(requests, 8, async (r) =>
      settled(r.who.client, await deposit(r.who, r.minor, r.key, 10_000), SETTLE_TIMEOUT_MS),
    );
    retried.forEach((r, i) => {
      if (r.status === 'rejected') throw new Error(`retry ${i} failed`, { cause: r.reason });
      const before = acceptedOps.get(requests[i]!.key);
      if (before) expect(r.value.id, `retry ${i} names the accepted operation`).toBe(before.id);
      expect(r.value.status, `retry ${i}`).toBe('COMPLETED');
    });

    // One operation per key, each applied exactly once; balances are the sum of the deposits.
    const stored = await storedOperations(
      stack,
      people.map((p) => p.walletId),
    );
    expect(stored.map((op) => op.idempotencyKey).sort()).toEqual(requests.map((r) => r.key).sort());
    await expectBooksAgree(stack, people);
    await expectLedgerInvariants(stack);
  }, 240_000);
});
