import { DomainError } from '@walletgraph/platform/errors';
import { and, desc, eq, gt, lte, sql } from 'drizzle-orm';
import { loginFailures } from './db/schema.ts';
import { decideThrottle, type ThrottlePolicy, windowStart } from './domain/throttle.ts';
import type { IdentityExecutor } from './services.ts';

/**
 * Sign-in throttling per account, a sliding window over `login_failures` kept in the database so
 * every replica counts the same failures. The key is the normalised email tried, whether or not
 * an account has it, so a throttled answer says nothing about which emails are registered.
 *
 * An attempt takes its slot in the window before the password is checked (`beginLoginAttempt`),
 * under a per-key advisory lock: concurrent attempts are counted like sequential ones, so a burst
 * of parallel guesses gets exactly as many password checks as the limit allows, never more.
 */

/** One sign-in attempt that holds a slot in its account's window until it is settled. */
export interface LoginAttempt {
  /** The password was wrong: the slot stays, as the failure it is; failures out of the window are forgotten. */
  failed(): Promise<void>;
  /** The password was right: the account's failures are forgotten (OWASP: lockout counters reset on success). */
  succeeded(): Promise<void>;
}

/**
 * Counts this attempt against the account's limit before any password work: TOO_MANY_ATTEMPTS
 * when the window is full (failures and attempts still in flight alike), otherwise the attempt
 * is recorded as a failure until `succeeded()` says otherwise.
 */
export async function beginLoginAttempt(
  db: IdentityExecutor,
  email: string,
  policy: ThrottlePolicy,
  now: Date,
): Promise<LoginAttempt> {
  const decision = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`walletgraph:login-throttle:${email}`}))`);
    const rows = await tx
      .select({ failedAt: loginFailures.failedAt })
      .from(loginFailures)
      .where(
        and(
          eq(loginFailures.scope, 'account'),
          eq(loginFailures.key, email),
          gt(loginFailures.failedAt, windowStart(policy, now)),
        ),
      )
      .orderBy(desc(loginFailures.failedAt))
      .limit(policy.limit);
    // A concurrent attempt that read the clock a moment after this one still counts, as of now.
    const failures = rows.map((r) => (r.failedAt.getTime() > now.getTime() ? now : r.failedAt));
    const decision = decideThrottle(failures, policy, now);
    if (decision.kind === 'allow') {
      await tx.insert(loginFailures).values({ scope: 'account', key: email, failedAt: now });
    }
    return decision;
  });
  if (decision.kind === 'block') {
    throw new DomainError('TOO_MANY_ATTEMPTS', 'too many failed sign-in attempts; try again later', {
      retryAfterSeconds: decision.retryAfterSeconds,
    });
  }
  return {
    async failed() {
      await db
        .delete(loginFailures)
        .where(
          and(
            eq(loginFailures.scope, 'account'),
            eq(loginFailures.key, email),
            lte(loginFailures.failedAt, windowStart(policy, now)),
          ),
        );
    },
    succeeded: () => clearLoginFailures(db, email),
  };
}

/** Forgets every failure of a key. */
export async function clearLoginFailures(db: IdentityExecutor, email: string): Promise<void> {
  await db.delete(loginFailures).where(and(eq(loginFailures.scope, 'account'), eq(loginFailures.key, email)));
}
