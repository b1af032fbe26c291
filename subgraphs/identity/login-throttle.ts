import { DomainError } from '@walletgraph/platform/errors';
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { IdentityExecutor } from './context.ts';
import { loginFailures } from './db/schema.ts';
import {
  decideDelay,
  decideThrottle,
  type SignInThrottles,
  type ThrottleDecision,
  windowStart,
} from './domain/throttle.ts';
import { isKnownAddress } from './sign-in-addresses.ts';

/**
 * Password-attempt throttling, sliding windows over `login_failures` kept in the database so
 * every replica counts the same attempts (domain/throttle.ts has the policies). Sign-in is keyed
 * by the normalised email tried, whether or not an account has it, so a throttled answer says
 * nothing about which emails are registered.
 *
 * An attempt takes its place in its windows before the password is checked, under a per-email
 * advisory lock: concurrent attempts are counted like sequential ones, so a burst of parallel
 * guesses gets exactly as many password checks as the throttles allow, never more.
 */

/** One password attempt that holds its places in the windows until it is settled. */
export interface PasswordAttempt {
  /** The password was wrong: the places stay, as the failures they are. */
  failed(): Promise<void>;
  /** The password was right: this attempt's places are given back, and the address's failures on the account forgotten. */
  succeeded(): Promise<void>;
  /** The password was never checked (the hashing pool was full): the places are given back. */
  abandoned(): Promise<void>;
}

/** A sign-in attempt that may go ahead; `refusal` set means only a correct password may. */
export interface SignInAttempt extends PasswordAttempt {
  /**
   * The throttles are full but the address has signed in to this account before: the password
   * is checked all the same, a correct one lets the owner in, a wrong one is refused with this.
   */
  refusal: DomainError | null;
}

const tooManyAttempts = (retryAfterSeconds: number) =>
  new DomainError('TOO_MANY_ATTEMPTS', 'too many failed sign-in attempts; try again later', {
    retryAfterSeconds,
  });

/** The throttle key of one account at one client address; no email holds a space. */
const pairKey = (email: string, address: string) => `${email} ${address}`;

/** The address key of attempts that came with no client address (not through the gateway). */
const NO_ADDRESS = '-';

function strictest(decisions: ThrottleDecision[]): ThrottleDecision {
  const blocks = decisions.flatMap((d) => (d.kind === 'block' ? [d.retryAfterSeconds] : []));
  return blocks.length === 0 ? { kind: 'allow' } : { kind: 'block', retryAfterSeconds: Math.max(...blocks) };
}

/** Newest failure times of one key, at most `limit`, clamped to `now` (a concurrent attempt that read the clock a moment later still counts as of now). */
async function failureTimes(
  tx: IdentityExecutor,
  scope: 'account' | 'pair' | 'password-change',
  key: string,
  since: Date,
  limit: number,
  now: Date,
): Promise<Date[]> {
  const rows = await tx
    .select({ failedAt: loginFailures.failedAt })
    .from(loginFailures)
    .where(and(eq(loginFailures.scope, scope), eq(loginFailures.key, key), gt(loginFailures.failedAt, since)))
    .orderBy(desc(loginFailures.failedAt))
    .limit(limit);
  return rows.map((r) => (r.failedAt.getTime() > now.getTime() ? now : r.failedAt));
}

async function lockKey(tx: IdentityExecutor, key: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`walletgraph:password-attempts:${key}`}))`);
}

function heldAttempt(db: IdentityExecutor, ids: bigint[], onSuccess: () => Promise<void>): PasswordAttempt {
  const release = async () => {
    if (ids.length > 0) await db.delete(loginFailures).where(inArray(loginFailures.id, ids));
  };
  return {
    // The rows written when the attempt began are the failures; the prune job forgets them.
    async failed() {},
    async succeeded() {
      await release();
      await onSuccess();
    },
    abandoned: release,
  };
}

/**
 * Begins a sign-in attempt for `email` from `address` (undefined: not through the gateway):
 * TOO_MANY_ATTEMPTS when the (account, address) delays or the account's ceiling say so, unless
 * the address has signed in to this account before (then `refusal` says what a wrong password
 * answers). Otherwise the attempt counts as a failure of both until settled.
 */
export async function beginSignInAttempt(
  db: IdentityExecutor,
  request: { email: string; address: string | undefined },
  throttles: Pick<SignInThrottles, 'pair' | 'account'>,
  now: Date,
): Promise<SignInAttempt> {
  const { email } = request;
  const address = request.address ?? NO_ADDRESS;
  const pair = pairKey(email, address);
  const { decision, known, ids } = await db.transaction(async (tx) => {
    await lockKey(tx, email);
    const [pairFailures, accountFailures, known] = await Promise.all([
      // Enough to reach the delay's cap; older ones cannot change the answer.
      failureTimes(tx, 'pair', pair, windowStart(throttles.pair, now), throttles.pair.freeFailures + 32, now),
      failureTimes(tx, 'account', email, windowStart(throttles.account, now), throttles.account.limit, now),
      request.address === undefined ? false : isKnownAddress(tx, email, request.address, now),
    ]);
    const decision = strictest([
      decideDelay(pairFailures, throttles.pair, now),
      decideThrottle(accountFailures, throttles.account, now),
    ]);
    if (decision.kind === 'block' && !known) return { decision, known, ids: [] };
    const rows = await tx
      .insert(loginFailures)
      .values([
        { scope: 'pair', key: pair, failedAt: now },
        { scope: 'account', key: email, failedAt: now },
      ])
      .returning({ id: loginFailures.id });
    return { decision, known, ids: rows.map((r) => r.id) };
  });
  if (decision.kind === 'block' && !known) throw tooManyAttempts(decision.retryAfterSeconds);
  const attempt = heldAttempt(db, ids, () => clearPairFailures(db, pair));
  return {
    ...attempt,
    refusal: decision.kind === 'block' ? tooManyAttempts(decision.retryAfterSeconds) : null,
  };
}

async function clearPairFailures(db: IdentityExecutor, pair: string): Promise<void> {
  await db.delete(loginFailures).where(and(eq(loginFailures.scope, 'pair'), eq(loginFailures.key, pair)));
}

/**
 * Begins a `changePassword` check for a signed-in user, on its own counter (`passwordChange`):
 * TOO_MANY_ATTEMPTS when full, otherwise counted as a failure until settled.
 */
export async function beginPasswordChangeAttempt(
  db: IdentityExecutor,
  userId: string,
  policy: SignInThrottles['passwordChange'],
  now: Date,
): Promise<PasswordAttempt> {
  const outcome = await db.transaction(async (tx) => {
    await lockKey(tx, userId);
    const failures = await failureTimes(
      tx,
      'password-change',
      userId,
      windowStart(policy, now),
      policy.limit,
      now,
    );
    const decision = decideThrottle(failures, policy, now);
    if (decision.kind === 'block') return decision;
    const [row] = await tx
      .insert(loginFailures)
      .values({ scope: 'password-change', key: userId, failedAt: now })
      .returning({ id: loginFailures.id });
    return { kind: 'allow' as const, id: row!.id };
  });
  if (outcome.kind === 'block') throw tooManyAttempts(outcome.retryAfterSeconds);
  return heldAttempt(db, [outcome.id], async () => {});
}
