import { billerUrl } from '@walletgraph/platform/config';
import type { TestStack } from './stack.ts';

/**
 * The simulated biller's admin routes (docs/biller.md), as a test stack runs it: its switches,
 * and what it charged. The references whose last four digits choose its answer are here too.
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
