import { createEvent } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import type { DatabaseHandle } from '@walletgraph/platform/db/database';
import { rowsOf } from '@walletgraph/platform/db/rows';
import type { Logger } from '@walletgraph/platform/logger';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { createSleeper } from '@walletgraph/platform/outbox/sleeper';
import { and, eq, sql } from 'drizzle-orm';
import type * as schema from '../db/schema.ts';
import { billPayments, operations } from '../db/schema.ts';
import { billLedgerPost, decidePayment, type PaymentDecision } from '../domain/bill-payments.ts';
import type { BillerClient } from './biller-client.ts';
import { type BillerPolicy, paymentLeaseMs } from './biller-policy.ts';
import type { PaymentCall } from './payment-answers.ts';

/** NOTIFY'd when a hold opens: a payment is waiting for the worker. */
export const PAYMENTS_DUE_CHANNEL = 'bill_payments_due';

/** The payments one round claims at most; they are paid concurrently. */
const CLAIM_LIMIT = 16;

/** A claimed payment: the worker's row and what the call needs from its operation. */
interface ClaimedPayment {
  operation_id: string;
  calls: number;
  biller_id: string;
  bill_reference: string;
  amount_minor: string;
  currency: string;
  wallet_id: string;
  jar_id: string | null;
  hold_expires_at: Date | string;
}

export interface PaymentWorker {
  /** Starts the loop: woken by NOTIFY when a hold opens, polling as a fallback. */
  start(): Promise<void>;
  /** Ends the loop after the round in flight. */
  stop(): Promise<void>;
  /** One round by hand (tests): claims what is due, calls the biller, records; how many it claimed. */
  round(): Promise<number>;
}

export interface PaymentWorkerDeps {
  // The schema's type from its module, not context.ts's alias: context.ts names this worker.
  db: DatabaseHandle<typeof schema>;
  biller: BillerClient;
  clock: Clock;
  logger: Logger;
  policy: BillerPolicy;
}

/**
 * The payment worker (docs/architecture.md §5): pays the biller for each bill payment whose hold
 * is open, and records the answer with the ledger command that captures or releases the hold.
 *
 * Every replica runs one; they share the work through the claim. A claim is one committed UPDATE
 * that counts the call about to be made and pushes the row's next attempt past the longest a
 * call can take (`paymentLeaseMs`), so a worker killed between the call and the record leaves
 * the row to be claimed again, and the next claim, seeing an earlier call, asks the biller
 * whether the payment happened before paying again. The record is conditional on the claim
 * (same `calls`, still PAY): a worker whose claim was overtaken records nothing.
 */
export function createPaymentWorker(deps: PaymentWorkerDeps): PaymentWorker {
  const { biller, clock, policy } = deps;
  const { db } = deps.db;
  const log = deps.logger.child({ component: 'payment-worker' });
  const sleeper = createSleeper();
  let loop: Promise<void> | null = null;
  let stopping = false;

  // When a payment is next due is the database's time (now()), whoever writes it: the settlement
  // that opens the hold, the claim and the retry. The hold's expiry is the clock's, as is its start.
  async function claim(): Promise<ClaimedPayment[]> {
    return rowsOf<ClaimedPayment>(
      await db.execute(sql`
        update bill_payments b
        set calls = b.calls + 1,
          next_attempt_at = now() + ${paymentLeaseMs(policy)} * interval '1 millisecond'
        from operations o
        where o.id = b.operation_id and b.operation_id in (
          select operation_id from bill_payments
          where step = 'PAY' and next_attempt_at <= now()
          order by next_attempt_at
          limit ${CLAIM_LIMIT}
          for update skip locked)
        returning b.operation_id, b.calls, o.biller_id, o.bill_reference, o.amount_minor::text,
          o.currency, o.wallet_id, o.jar_id, o.hold_expires_at`),
    );
  }

  /** Pays, or, after an earlier call that may have reached the biller, asks first. */
  async function callBiller(payment: ClaimedPayment, expiresAt: Date): Promise<PaymentCall> {
    const order = {
      paymentId: payment.operation_id,
      billerId: payment.biller_id,
      reference: payment.bill_reference,
      amountMinor: BigInt(payment.amount_minor),
      currency: payment.currency,
    };
    if (payment.calls <= 1) return biller.pay(order);
    const status = await biller.paymentStatus(payment.operation_id);
    // Never made: paying again with the same paymentId is safe, until the hold has expired.
    if (status.kind === 'NOT_FOUND' && clock.now() < expiresAt) return biller.pay(order);
    return status;
  }

  async function settle(payment: ClaimedPayment): Promise<void> {
    const expiresAt = new Date(payment.hold_expires_at);
    let decision: PaymentDecision;
    try {
      const call = await callBiller(payment, expiresAt);
      decision = decidePayment(payment, { expiresAt }, call, { now: clock.now(), pacing: policy });
    } catch (err) {
      // An answer no rule covers (a 409, a malformed body): someone must look; keep asking meanwhile.
      log.error({ err, operationId: payment.operation_id }, 'unexpected biller answer');
      decision = decidePayment(
        payment,
        { expiresAt },
        { kind: 'UNANSWERED', sent: true, reason: String(err) },
        { now: clock.now(), pacing: policy },
      );
    }
    await record(payment, decision);
  }

  async function record(payment: ClaimedPayment, decision: PaymentDecision): Promise<void> {
    const id = payment.operation_id;
    const claimed = and(
      eq(billPayments.operationId, id),
      eq(billPayments.step, 'PAY'),
      eq(billPayments.calls, payment.calls),
    );
    if (decision.kind === 'RETRY') {
      await db
        .update(billPayments)
        .set({
          nextAttemptAt: sql`now() + ${decision.afterMs} * interval '1 millisecond'`,
          lastError: decision.lastError,
        })
        .where(claimed);
      return;
    }
    await db.transaction(async (tx) => {
      const failureCode = decision.kind === 'RELEASE' ? decision.failureCode : null;
      const [mine] = await tx
        .update(billPayments)
        .set({ step: 'SETTLE', failureCode })
        .where(claimed)
        .returning({ id: billPayments.operationId });
      if (!mine) return;
      const operation = {
        id,
        walletId: payment.wallet_id,
        jarId: payment.jar_id,
        amountMinor: BigInt(payment.amount_minor),
        currency: payment.currency,
        holdExpiresAt: new Date(payment.hold_expires_at),
      };
      if (decision.kind === 'CAPTURE') {
        await tx.update(operations).set({ receipt: decision.receipt }).where(eq(operations.id, id));
      }
      const step = decision.kind === 'CAPTURE' ? 'capture' : 'release';
      await enqueue(
        tx,
        createEvent(
          'ledger.post.v1',
          { aggregateId: id, data: billLedgerPost(operation, step) },
          { correlationId: id },
        ),
      );
    });
    log.info({ operationId: id, decision: decision.kind }, 'bill payment answered');
  }

  async function round(): Promise<number> {
    const claimed = await claim();
    await Promise.all(claimed.map((payment) => settle(payment)));
    return claimed.length;
  }

  async function run(): Promise<void> {
    const unlisten = await deps.db
      .listen(PAYMENTS_DUE_CHANNEL, () => sleeper.wake())
      .catch((err: unknown) => {
        log.warn({ err }, 'could not listen for due payments; polling only');
        return null;
      });
    try {
      while (!stopping) {
        let claimed = 0;
        try {
          claimed = await round();
        } catch (err) {
          log.error({ err }, 'payment round failed');
        }
        // A full round may have left more behind: go again at once.
        if (claimed < CLAIM_LIMIT) await sleeper.sleep(policy.workerPollMs);
      }
    } finally {
      await unlisten?.().catch(() => {});
    }
  }

  return {
    async start() {
      loop ??= run();
    },
    async stop() {
      stopping = true;
      sleeper.interrupt();
      await loop;
    },
    round,
  };
}
