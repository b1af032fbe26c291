import { lte } from 'drizzle-orm';
import type { IdentityExecutor } from './context.ts';
import { emailVerifications, loginFailures, refreshTokens, signInAddresses } from './db/schema.ts';
import { type SignInThrottles, windowStart } from './domain/throttle.ts';
import { knownSince } from './sign-in-addresses.ts';

/**
 * Forgets what no throttle reads any more: attempts older than the longest window, addresses
 * not signed in from for KNOWN_ADDRESS_DAYS, refresh tokens past their expiry (an expired token
 * is refused whether or not its row exists), expired verification codes. Returns the rows deleted per table.
 */
export async function pruneSignInRecords(
  db: IdentityExecutor,
  throttles: SignInThrottles,
  now: Date,
): Promise<{ loginFailures: number; signInAddresses: number; refreshTokens: number }> {
  const longest = Math.max(
    throttles.pair.windowSeconds,
    throttles.account.windowSeconds,
    throttles.passwordChange.windowSeconds,
  );
  const failures = await db
    .delete(loginFailures)
    .where(lte(loginFailures.failedAt, windowStart({ windowSeconds: longest }, now)))
    .returning({ id: loginFailures.id });
  const addresses = await db
    .delete(signInAddresses)
    .where(lte(signInAddresses.lastSignedInAt, knownSince(now)))
    .returning({ userId: signInAddresses.userId });
  const tokens = await db
    .delete(refreshTokens)
    .where(lte(refreshTokens.expiresAt, now))
    .returning({ id: refreshTokens.id });
  // Expired codes are refused anyway; their rows go too.
  await db.delete(emailVerifications).where(lte(emailVerifications.expiresAt, now));
  return { loginFailures: failures.length, signInAddresses: addresses.length, refreshTokens: tokens.length };
}
