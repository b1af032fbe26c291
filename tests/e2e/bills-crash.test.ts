import { ledgerAccount } from '@walletgraph/events';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { describe, expect, it } from 'vitest';
import { defaultBillerPolicy, paymentLeaseMs } from '../../subgraphs/transactions/bills/biller-policy.ts';
import { billLedgerKey } from '../../subgraphs/transactions/domain/bill-payments.ts';
import { billerPayments, billSettled, meters, payBill, setBillerBehaviour } from '../support/biller.ts';
import { expectBooksAgree, expectLedgerInvariants, postedTo } from '../support/books.ts';
import { balanceOf, deposit, person, settled, withSql } from '../support/money.ts';
import { useRealStack } from '../support/use-stack.ts';

/**
 * The payment worker SIGKILLed while its call to the biller hangs, after the biller charged:
 * the restarted worker must find out the payment happened (its claim waits out the dead
 * worker's lease, then asks the biller's status) and capture the hold — never pay again, never
 * release. The lease is the default policy's (~21 s): this test takes about half a minute.
 */

const stack = useRealStack();

/** Longer than the whole test: the charged call never answers while anyone waits for it. */
const HANG_MS = 600_000;

/** The worker's row for a payment: how many calls it claimed, and where it stands. */
async function workerRow(operationId: string): Promise<{ step: string; calls: number }> {
  return withSql(stack.databases.transactions!, async (sql) => {
    const [row] = await sql<{ step: string; calls: number }[]>`
      select step, calls from bill_payments where operation_id = ${operationId}`;
    return row!;
  });
}

/** Every posting to `account`, in ledger order, with the key of the command that made it. */
async function postingsOf(account: string): Promise<{ key: string; amount: string }[]> {
  return withSql(stack.databases.ledger!, async (sql) =>
    sql<{ key: string; amount: string }[]>`
      select e.idempotency_key as key, p.amount::text as amount
      from postings p join journal_entries e on e.id = p.entry_id
      where p.account_id = ${account} order by p.sequence`.then((rows) => [...rows]),
  );
}

describe('a bill payment when transactions dies mid-call, real mode', () => {
  it('the charged payment is captured once after the restart, never paid again nor released', async () => {
    const kai = await person(stack, 'kai');
    expect((await settled(kai.client, await deposit(kai, 10_000n))).status).toBe('COMPLETED');
    await setBillerBehaviour(stack, { hangMs: HANG_MS });

    // …9002: the biller charges at once and answers only after the hang.
    const accepted = await payBill(
      kai,
      { billerId: 'nordlicht-energie', reference: meters.chargedThenHangs, minor: 4_200n, currency: 'EUR' },
      0,
    );
    await waitFor(
      'the biller to charge the payment',
      async () =>
        (await billerPayments(stack)).payments.some((p) => p.paymentId === accepted.id) ? true : undefined,
      { timeoutMs: 30_000, intervalMs: 5 },
    );
    const chargedAt = Date.now();
    // The call has been waiting for well under its 2 s timeout: no attempt has come back yet.
    await stack.kill('transactions');
    expect(await workerRow(accepted.id), 'the killed worker recorded nothing').toEqual({
      step: 'PAY',
      calls: 1,
    });
    expect(await postingsOf(ledgerAccount.hold(accepted.id))).toEqual([
      { key: billLedgerKey(accepted.id, 'hold'), amount: '4200' },
    ]);

    await stack.restart('transactions');
    const op = await billSettled(kai.client, accepted, 60_000);
    expect(op).toMatchObject({
      status: 'COMPLETED',
      failureCode: null,
      hold: { status: 'CAPTURED', amount: { minorUnits: '4200', currency: 'EUR' } },
      receipt: { token: expect.stringMatching(/^\d{20}$/) },
    });
    // Not before the dead worker's lease ran out (it was claimed just before the charge); then
    // the restarted worker's one claim asked the status, and took the biller's receipt from it.
    const lease = paymentLeaseMs(defaultBillerPolicy);
    expect(new Date(op.settledAt!).getTime() - chargedAt, 'settled after the lease').toBeGreaterThan(
      lease - 1_000,
    );
    expect(await workerRow(accepted.id)).toEqual({ step: 'DONE', calls: 2 });
    const biller = await billerPayments(stack);
    expect(biller.charges, 'charged once').toBe(1);
    expect(biller.payments).toEqual([
      {
        paymentId: accepted.id,
        status: 'SUCCEEDED',
        receipt: expect.objectContaining({ token: op.receipt!.token }),
      },
    ]);

    // Into the hold and out to the biller, once each; no release was ever posted.
    expect(await postingsOf(ledgerAccount.hold(accepted.id))).toEqual([
      { key: billLedgerKey(accepted.id, 'hold'), amount: '4200' },
      { key: billLedgerKey(accepted.id, 'capture'), amount: '-4200' },
    ]);
    expect(await postingsOf(ledgerAccount.external('biller', 'EUR'))).toEqual([
      { key: billLedgerKey(accepted.id, 'capture'), amount: '4200' },
    ]);
    expect(await postedTo(stack, ledgerAccount.external('biller', 'EUR'))).toBe(4_200n);
    expect(await balanceOf(kai)).toEqual({ total: 5_800n, available: 5_800n });
    await expectBooksAgree(stack, [kai]);
    await expectLedgerInvariants(stack);
  }, 120_000);
});
