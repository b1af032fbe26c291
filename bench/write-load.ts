import { Agent } from 'node:http';
import type { TransferMutationVariables } from '@walletgraph/sdk';
import type { Person } from '@walletgraph/tests/support/money';
import { type LoopRun, loadLoop, post } from './closed-loop.ts';
import type { Seen } from './write-books.ts';

// The write scenario's load: closed-loop clients, each sending 0.01 EUR from its own wallet to the
// next client's and waiting for the settlement, every answer recorded for the books check.

/** How long each transfer waits for its settlement (waitMs). */
export const WAIT_MS = 10_000;

/** Only what the scenario reads of the operation. */
const TRANSFER_QUERY = `mutation Transfer($input: TransferInput!, $waitMs: Int) {
  transfer(input: $input, waitMs: $waitMs) { id status failureCode }
}`;

/** A concurrency level: this many clients for this many seconds. */
export interface Level {
  clients: number;
  seconds: number;
}

/** Runs `level.clients` closed-loop clients for `level.seconds`; every answer lands in `seen`. */
export async function drive(
  url: string,
  people: readonly Person[],
  level: Level,
  seen: Seen,
  label: string,
): Promise<LoopRun & { clients: number }> {
  // Plain HTTP over keep-alive connections (closed-loop.ts): the load generator shares the
  // machine with what it measures, so it spends as little CPU per request as it can.
  const agent = new Agent({ keepAlive: true, maxSockets: level.clients });
  try {
    const run = await loadLoop({
      clients: level.clients,
      seconds: level.seconds,
      graceMs: WAIT_MS + 30_000,
      label,
      async attempt(i, n) {
        const from = people[i]!;
        const to = people[(i + 1) % Math.max(level.clients, 2)]!;
        const key = `bench-write-${label}-${i}-${n}`;
        const outcome = await transferOnce(agent, url, from, to, key);
        if (outcome === 'COMPLETED') {
          seen.completed.add(key);
          return null;
        }
        (outcome.startsWith('status FAILED') ? seen.failed : seen.unsettled).add(key);
        return outcome;
      },
    });
    return { clients: level.clients, ...run };
  } finally {
    agent.destroy();
  }
}

/** One transfer: `COMPLETED`, or what went wrong (`status FAILED` with its code, errors, no answer). */
async function transferOnce(
  agent: Agent,
  url: string,
  from: Person,
  to: Person,
  idempotencyKey: string,
): Promise<string> {
  const variables: TransferMutationVariables = {
    input: {
      fromWalletId: from.walletId,
      toWalletId: to.walletId,
      amount: { amount: '0.01', currency: 'EUR' },
      idempotencyKey,
    },
    waitMs: WAIT_MS,
  };
  const answer = await post(agent, url, JSON.stringify({ query: TRANSFER_QUERY, variables }), from.token);
  if ('failure' in answer) return answer.failure;
  const op = (answer.data as { transfer?: { status: string; failureCode: string | null } | null }).transfer;
  if (!op) return 'answer without the transfer';
  if (op.status === 'COMPLETED') return 'COMPLETED';
  return op.failureCode ? `status ${op.status} (${op.failureCode})` : `status ${op.status}`;
}
