import { createHash } from 'node:crypto';
import type { EventData } from '@walletgraph/events';

/** One line of a command or entry: `amount` minor units added to `account`'s balance (negative = debit). */
export interface Posting {
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
}

/** A `ledger.post` command as the domain sees it: money as bigint, and what it asks, hashed. */
export interface PostCommand {
  readonly idempotencyKey: string;
  /** Identifies what was asked: a key replayed with another hash is refused (IDEMPOTENCY_KEY_REUSED). */
  readonly requestHash: string;
  readonly operationId: string | null;
  readonly description: string;
  readonly postings: readonly Posting[];
}

/** Reads a validated `ledger.post.v1` payload into a command. */
export function postCommandFrom(data: EventData<'ledger.post.v1'>): PostCommand {
  const postings = data.postings.map((p) => ({
    account: p.account,
    amount: BigInt(p.amount),
    currency: p.currency,
  }));
  return {
    idempotencyKey: data.idempotencyKey,
    requestHash: requestHash(data.operationId, postings),
    operationId: data.operationId,
    description: data.description,
    postings,
  };
}

/**
 * The hash of what a command asks: its operation and its postings, in any order (the same
 * movement listed differently is the same request). The description is left out: it is a label,
 * and a retry that rewords it still asks for the same movement.
 */
export function requestHash(operationId: string | null, postings: readonly Posting[]): string {
  const lines = postings.map((p) => `${p.account}|${p.currency}|${p.amount.toString()}`).sort();
  return createHash('sha256')
    .update(JSON.stringify([operationId, lines]))
    .digest('hex');
}
