import { and, eq, gt } from 'drizzle-orm';
import type { IdentityExecutor } from './context.ts';
import { signInAddresses, users } from './db/schema.ts';
import { KNOWN_ADDRESS_DAYS } from './domain/throttle.ts';

/**
 * Whether `address` has signed in to the account holding `email` within KNOWN_ADDRESS_DAYS: such
 * an address may still try a password when the throttles are full (login-throttle.ts).
 */
export async function isKnownAddress(
  tx: IdentityExecutor,
  email: string,
  address: string,
  now: Date,
): Promise<boolean> {
  const [row] = await tx
    .select({ userId: signInAddresses.userId })
    .from(signInAddresses)
    .innerJoin(users, eq(users.id, signInAddresses.userId))
    .where(
      and(
        // The account that holds the address: a shadow registered with it from anywhere makes
        // no address known for it.
        eq(users.email, email),
        eq(users.shadow, false),
        eq(signInAddresses.address, address),
        gt(signInAddresses.lastSignedInAt, knownSince(now)),
      ),
    );
  return row !== undefined;
}

/** Sign-ins before this no longer make an address known. */
export function knownSince(now: Date): Date {
  return new Date(now.getTime() - KNOWN_ADDRESS_DAYS * 24 * 3600 * 1000);
}

/** Remembers that `userId` signed in (or registered) from `address`; nothing without an address. */
export async function rememberAddress(
  db: IdentityExecutor,
  userId: string,
  address: string | undefined,
  now: Date,
): Promise<void> {
  if (address === undefined) return;
  await db
    .insert(signInAddresses)
    .values({ userId, address, lastSignedInAt: now })
    .onConflictDoUpdate({
      target: [signInAddresses.userId, signInAddresses.address],
      set: { lastSignedInAt: now },
    });
}
