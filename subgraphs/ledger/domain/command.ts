import { createHash } from 'node:crypto';
import type { Event, EventData } from '@walletgraph/events';
import { accountId } from './accounts.ts';

/** One line of a command or entry: `amount` minor units added to `account`'s balance (negative = debit). */
export interface Posting {
  readonly account: string;
  readonly amount: bigint;
  readonly currency: string;
}

/** What every ledger command carries beside what it asks to move. */
interface CommandBase {
  readonly idempotencyKey: string;
  /** Identifies what was asked: a key replayed with another hash is refused (IDEMPOTENCY_KEY_REUSED). */
  readonly requestHash: string;
  readonly operationId: string | null;
  readonly description: string;
}

/** A `ledger.post` command as the domain sees it: money as bigint, and what it asks, hashed. */
export interface PostCommand extends CommandBase {
  readonly kind: 'POST';
  readonly postings: readonly Posting[];
  /**
   * The expiry of a hold account this command opens; an existing hold keeps its own. Not part of
   * the request hash: it describes the hold, not the movement, so a retry that recomputes it asks
   * for the same movement and gets the first result.
   */
  readonly holdExpiresAt: Date | null;
}

/**
 * A `ledger.sweep` command: move the balance of `from` (a jar) to `to` (its wallet's available
 * account); with `asOf`, only what the jar held then and has not left it since. Its postings are
 * decided when it is applied, from the balance then.
 */
export interface SweepCommand extends CommandBase {
  readonly kind: 'SWEEP';
  readonly from: string;
  readonly to: string;
  readonly asOf: Date | null;
}

/** Every command the ledger decides; one batch may mix them (decideBatch). */
export type LedgerCommand = PostCommand | SweepCommand;

/** The command messages the ledger's command consumer takes. */
export type CommandEvent = Event<'ledger.post.v1' | 'ledger.sweep.v1'>;

/** Reads a validated `ledger.post.v1` payload into a command. */
export function postCommandFrom(data: EventData<'ledger.post.v1'>): PostCommand {
  const postings = data.postings.map((p) => ({
    account: p.account,
    amount: BigInt(p.amount),
    currency: p.currency,
  }));
  return {
    kind: 'POST',
    idempotencyKey: data.idempotencyKey,
    requestHash: requestHash(data.operationId, postings),
    operationId: data.operationId,
    description: data.description,
    postings,
    holdExpiresAt: data.holdExpiresAt ? new Date(data.holdExpiresAt) : null,
  };
}

/** Reads a validated `ledger.sweep.v1` payload into a command. */
export function sweepCommandFrom(data: EventData<'ledger.sweep.v1'>): SweepCommand {
  const { idempotencyKey, operationId, description, from, to } = data;
  const asOf = data.asOf ? new Date(data.asOf) : null;
  return {
    kind: 'SWEEP',
    idempotencyKey,
    requestHash: sweepRequestHash(operationId, from, to, asOf),
    operationId,
    description,
    from,
    to,
    asOf,
  };
}

/** Reads a validated command message. */
export function commandFrom(event: CommandEvent): LedgerCommand {
  switch (event.type) {
    case 'ledger.post.v1':
      return postCommandFrom(event.data);
    case 'ledger.sweep.v1':
      return sweepCommandFrom(event.data);
  }
}

/**
 * The sweep that archiving a jar makes (`jars.jar_archived.v1`): its key is derived from the jar,
 * so the archive can never move the jar's money twice.
 */
export function jarArchiveSweep(jarId: string, walletId: string): SweepCommand {
  return sweepCommandFrom({
    idempotencyKey: `jar-archive:${jarId}`,
    operationId: null,
    description: 'Jar archived: its balance returned to available',
    from: accountId.jar(jarId),
    to: accountId.walletAvailable(walletId),
  });
}

/** Every account a command names: the ones its batch locks. */
export function accountsNamed(command: LedgerCommand): string[] {
  switch (command.kind) {
    case 'POST':
      return command.postings.map((p) => p.account);
    case 'SWEEP':
      return [command.from, command.to];
  }
}

/**
 * The hash of what a command asks: its operation and its postings, in any order (the same
 * movement listed differently is the same request). The description is left out: it is a label,
 * and a retry that rewords it still asks for the same movement.
 */
export function requestHash(operationId: string | null, postings: readonly Posting[]): string {
  const lines = postings.map((p) => `${p.account}|${p.currency}|${p.amount.toString()}`).sort();
  return hash([operationId, lines]);
}

/**
 * The hash of what a sweep asks: its operation, its two accounts and its moment, not the amount,
 * which is only known when it is applied (a re-sent sweep asks the same whatever the balance is now).
 * Tagged, so a post and a sweep never share a hash: a key used for one and then the other is
 * IDEMPOTENCY_KEY_REUSED.
 */
export function sweepRequestHash(
  operationId: string | null,
  from: string,
  to: string,
  asOf: Date | null,
): string {
  return hash(asOf ? ['sweep', operationId, from, to, asOf.toISOString()] : ['sweep', operationId, from, to]);
}

function hash(request: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

/** Where a sweep with `asOf` finds how much it may move: `<jar account>@<asOf ISO>`. */
export function heldKey(sweep: Pick<SweepCommand, 'from' | 'asOf'>): string | null {
  return sweep.asOf ? `${sweep.from}@${sweep.asOf.toISOString()}` : null;
}
