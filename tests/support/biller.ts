import { billerUrl } from '@walletgraph/platform/config';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import {
  BillPaymentDocument,
  type BillPaymentFieldsFragment,
  type Client,
  type OperationFieldsFragment,
  PayBillDocument,
} from '@walletgraph/sdk';
import { expect } from 'vitest';
import { money, newKey, type Person } from './money.ts';
import type { TestStack } from './stack.ts';

/**
 * Bills in end-to-end tests: paying them through the gateway and following them until they
 * settle, and the simulated biller's admin routes (docs/biller.md) as a test stack runs it: its
 * switches, and what it charged. The references whose last four digits choose its answer are
 * here too.
 */

/** The biller's switches a test may change at run time (`PUT /admin/behaviour`). */
export interface BillerBehaviour {
  latencyMs?: number;
  failureRate?: number;
  hangMs?: number;
  down?: boolean;
  seed?: number;
}

export interface BillerPayment {
  paymentId: string;
  status: 'SUCCEEDED' | 'FAILED';
  code?: string;
  receipt?: { token?: string; units?: string; billerReference: string };
}

/** An 11-digit meter number (Metro Power, Nordlicht Energie) whose last four choose the answer. */
export const meter = (lastFour: string) => `4501234${lastFour}`;

/** Meters by the simulated biller's answer to a payment (docs/biller.md, deterministic references). */
export const meters = {
  paid: meter('5678'),
  rejected: meter('9001'),
  chargedThenHangs: meter('9002'),
  failsAfterCharging: meter('9004'),
};

/** Changes the biller's switches; answers the ones now in force. */
export async function setBillerBehaviour(
  stack: TestStack,
  change: BillerBehaviour,
): Promise<BillerBehaviour> {
  const res = await fetch(`${billerUrl(stack.config)}/admin/behaviour`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(change),
  });
  if (!res.ok) throw new Error(`PUT /admin/behaviour answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as BillerBehaviour;
}

/** How many charges the biller made, and every payment it kept. */
export async function billerPayments(
  stack: TestStack,
): Promise<{ charges: number; payments: BillerPayment[] }> {
  const res = await fetch(`${billerUrl(stack.config)}/admin/payments`);
  if (!res.ok) throw new Error(`GET /admin/payments answered ${res.status}`);
  return (await res.json()) as { charges: number; payments: BillerPayment[] };
}

/** A bill to pay: from the wallet's available balance, or from one of its jars. */
export interface Bill {
  jarId?: string;
  billerId: string;
  reference: string;
  minor: bigint;
  currency: string;
  idempotencyKey?: string;
}

/** Pays `bill` through the gateway (`payBill`), answering the operation as it stands after `waitMs`. */
export async function payBill(p: Person, bill: Bill, waitMs = 10_000): Promise<BillPaymentFieldsFragment> {
  const source = bill.jarId ? { jarId: bill.jarId } : { walletId: p.walletId };
  const res = await p.client.request(PayBillDocument, {
    input: {
      ...source,
      billerId: bill.billerId,
      reference: bill.reference,
      amount: money(bill.minor, bill.currency),
      idempotencyKey: bill.idempotencyKey ?? newKey('bill'),
    },
    waitMs,
  });
  expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
  return res.data!.payBill;
}

/** A bill payment once settled, its hold and receipt included, followed as `settled` follows any. */
export async function billSettled(
  client: Client,
  op: Pick<OperationFieldsFragment, 'id' | 'status'>,
  timeoutMs = 60_000,
): Promise<BillPaymentFieldsFragment> {
  return waitFor(
    `bill payment ${op.id} to settle`,
    async () => {
      const res = await client.request(BillPaymentDocument, { id: op.id });
      const current = res.data?.operation;
      return current && current.status !== 'PENDING' ? current : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
