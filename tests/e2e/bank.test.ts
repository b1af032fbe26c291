import type { OperationFieldsFragment } from '@walletgraph/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectBooksAgree, expectLedgerInvariants } from '../support/books.ts';
import {
  balanceOf,
  deposit,
  newKey,
  type Person,
  person,
  pool,
  settled,
  transfer,
} from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * Jepsen's bank workload through the gateway, in real mode: accounts funded by deposits, then
 * hundreds of concurrent transfers between random pairs with random amounts (many of them more
 * than the sender holds), every fifth one sent twice at once with the same idempotency key.
 * Whatever interleaving the services chose, the books must add up afterwards.
 */

const USERS = 8;
const TRANSFERS = 300;
/**
 * Every planned transfer is sent at once: 300 workers, the retried ones sending twice, so some
 * 360 transfer requests are in flight together. At least this many must have been.
 */
const MIN_IN_FLIGHT = 200;
/** Funding, and following operations until they settle: setup and polling, not the workload. */
const CONCURRENCY = 16;
/** Each user's funding, in cents: two deposits of 60.00 and 40.00. */
const FUNDING = [6_000n, 4_000n];

/** A seeded generator (mulberry32), so a failing run's workload can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface PlannedTransfer {
  from: number;
  to: number;
  minor: bigint;
  key: string;
  /** Sent twice, concurrently, with the same key. */
  twice: boolean;
}

const stack = useRealStack();
let people: Person[];

beforeAll(async () => {
  people = await Promise.all(Array.from({ length: USERS }, (_, i) => person(stack, `bank${i}`)));
}, 180_000);

describe('bank workload through the gateway, real mode', () => {
  it('conserves money, never overdraws and moves each idempotency key at most once', async () => {
    const seed = Number(process.env.BANK_SEED ?? Date.now() % 1_000_000);
    const random = rng(seed);
    const context = `bank workload seed ${seed} (BANK_SEED=${seed} replays it)`;

    // Funding: every deposit settles COMPLETED.
    const funding = await pool(
      people.flatMap((p) => FUNDING.map((minor) => ({ p, minor }))),
      CONCURRENCY,
      async ({ p, minor }) => settled(p.client, await deposit(p, minor)),
    );
    for (const f of funding) {
      expect(f.status, context).toBe('fulfilled');
      if (f.status === 'fulfilled') expect(f.value.status, context).toBe('COMPLETED');
    }
    const deposited = BigInt(USERS) * FUNDING.reduce((a, b) => a + b, 0n);

    // Amounts up to 80.00 against balances averaging 100.00: many transfers overdraw.
    const plan: PlannedTransfer[] = Array.from({ length: TRANSFERS }, (_, i) => {
      const from = Math.floor(random() * USERS);
      const to = (from + 1 + Math.floor(random() * (USERS - 1))) % USERS;
      const minor = BigInt(1 + Math.floor(random() * 8_000));
      return { from, to, minor, key: newKey(`bank-${i}`), twice: i % 5 === 4 };
    });

    let inFlight = 0;
    let peakInFlight = 0;
    const replies = await pool(plan, plan.length, async (t) => {
      const send = async () => {
        peakInFlight = Math.max(peakInFlight, ++inFlight);
        try {
          return await transfer(people[t.from]!, people[t.to]!, t.minor, t.key, 5_000);
        } finally {
          inFlight--;
        }
      };
      return t.twice ? Promise.all([send(), send()]) : [await send()];
    });
    expect(peakInFlight, `${context}: transfer requests in flight at once`).toBeGreaterThanOrEqual(
      MIN_IN_FLIGHT,
    );

    // Every request was answered, and the two answers to a key sent twice name one operation.
    const byKey = new Map<string, OperationFieldsFragment>();
    replies.forEach((r, i) => {
      const t = plan[i]!;
      if (r.status === 'rejected') throw new Error(`${context}: transfer ${i} failed`, { cause: r.reason });
      const ids = new Set(r.value.map((op) => op.id));
      expect(ids.size, `${context}: replies to key ${t.key}`).toBe(1);
      byKey.set(t.key, r.value[0]!);
    });
    expect(new Set([...byKey.values()].map((op) => op.id)).size, context).toBe(TRANSFERS);

    // Every operation settles, as asked, COMPLETED or FAILED for lack of funds only.
    const outcomes = await pool(plan, CONCURRENCY, (t) => settled(people[t.from]!.client, byKey.get(t.key)!));
    let completed = 0;
    outcomes.forEach((o, i) => {
      const t = plan[i]!;
      if (o.status === 'rejected')
        throw new Error(`${context}: transfer ${i} did not settle`, { cause: o.reason });
      const op = o.value;
      expect(op, `${context}: transfer ${i}`).toMatchObject({
        kind: 'TRANSFER',
        direction: 'OUT',
        idempotencyKey: t.key,
        amount: { minorUnits: t.minor.toString(), currency: 'EUR' },
        wallet: { id: people[t.from]!.walletId },
        // Only a COMPLETED transfer shows the other side (a failed one would name the recipient's wallet).
        counterpartyWallet: op.status === 'COMPLETED' ? { id: people[t.to]!.walletId } : null,
      });
      if (op.status === 'COMPLETED') {
        completed++;
        expect(op.failureCode, context).toBeNull();
      } else {
        expect({ status: op.status, failureCode: op.failureCode }, `${context}: transfer ${i}`).toEqual({
          status: 'FAILED',
          failureCode: 'INSUFFICIENT_FUNDS',
        });
      }
    });
    // The workload is meant to overdraw often, and to move money often too.
    expect(completed, context).toBeGreaterThan(0);
    expect(completed, context).toBeLessThan(TRANSFERS);

    // One operation per key in the store, whatever raced.
    const ops = await expectBooksAgree(stack, people);
    const transfers = ops.filter((op) => op.kind === 'TRANSFER');
    expect(transfers.length, context).toBe(TRANSFERS);
    expect(new Set(transfers.map((op) => `${op.ownerId}/${op.idempotencyKey}`)).size, context).toBe(
      TRANSFERS,
    );
    expect(transfers.filter((op) => op.status === 'COMPLETED').length, context).toBe(completed);

    // Money is conserved and nobody is below zero.
    const totals = await Promise.all(people.map(async (p) => (await balanceOf(p)).total));
    expect(
      totals.reduce((a, b) => a + b, 0n),
      context,
    ).toBe(deposited);
    for (const total of totals) expect(total >= 0n, context).toBe(true);

    await expectLedgerInvariants(stack);
  }, 180_000);
});
