import { DomainError } from '@walletgraph/platform/errors';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { eq, sql } from 'drizzle-orm';
import type { IdentityContext } from './context.ts';
import { credentials, users } from './db/schema.ts';
import { assertStrongPassword } from './domain/password-policy.ts';
import { type UserView, viewUser } from './domain/user-view.ts';
import { addressReuseAttemptedEvent, userRegisteredEvent, userUpdatedEvent } from './events.ts';
import {
  parseProfileUpdate,
  parseRegistration,
  type RegisterInput,
  type UpdateProfileInput,
} from './inputs.ts';
import { beginPasswordChangeAttempt } from './login-throttle.ts';
import { type AuthSession, invalidCredentials, openSession, revokeAllSessions } from './sessions.ts';
import { rememberAddress } from './sign-in-addresses.ts';
import { issueVerification } from './verification.ts';

/**
 * Registers a user: the user, the credentials, the `identity.user_registered.v1` outbox row and
 * the first session commit together or not at all.
 *
 * An address another account holds gets the same answer as a new one, after the same password
 * hash, so `register` is no oracle of who has an account: the new account is a shadow (it can
 * neither sign in with that address nor prove it), and the holder is mailed that someone tried
 * (`identity.address_reuse_attempted.v1`) instead of a code. The unique index decides, so two
 * registrations racing for a new address make one account and one shadow.
 */
export async function register(ctx: IdentityContext, input: RegisterInput): Promise<AuthSession> {
  const svc = ctx.services;
  const registration = parseRegistration(input);
  const passwordHash = await svc.passwords.hash(registration.password);
  const now = svc.clock.now();
  const meta = { correlationId: ctx.correlationId };
  return ctx.db.transaction(async (tx) => {
    const values = {
      id: svc.newUserId(),
      email: registration.email,
      displayName: registration.displayName,
      createdAt: now,
    };
    const [owner] = await tx
      .insert(users)
      .values(values)
      .onConflictDoNothing({ target: users.email, where: sql`not ${users.shadow}` })
      .returning();
    const user =
      owner ??
      (
        await tx
          .insert(users)
          .values({ ...values, shadow: true })
          .returning()
      )[0]!;
    await tx.insert(credentials).values({ userId: user.id, passwordHash, updatedAt: now });
    // Registering is signing in: the owner's own address is known from the start.
    await rememberAddress(tx, user.id, ctx.clientAddress, now);
    await enqueue(tx, userRegisteredEvent(user, registration.currency, meta));
    if (owner) {
      // The address is the user's for signing in, but a payment address only once proven.
      await issueVerification(
        tx,
        { userId: user.id, email: user.email, correlationId: ctx.correlationId },
        now,
      );
    } else {
      await enqueue(tx, addressReuseAttemptedEvent(user.email, now, meta));
    }
    return (await openSession(tx, svc, user, now)).session;
  });
}

/**
 * Changes the signed-in user's profile and announces it with `identity.user_updated.v1` in the
 * same transaction. Omitted fields stay as they are; a change to the same value announces
 * nothing. A new email is not taken at once: a code is mailed there, and `verifyEmail` makes it
 * the user's (whether another account holds it is not said here: only its owner gets the code).
 */
export async function updateProfile(ctx: IdentityContext, input: UpdateProfileInput): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const { displayName, email } = parseProfileUpdate(input);
  const now = ctx.services.clock.now();
  const user = await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, viewer.userId)).for('update');
    if (!current) throw new DomainError('UNAUTHENTICATED', 'the signed-in user no longer exists');
    if (email !== null && email !== current.email) {
      await issueVerification(tx, { userId: current.id, email, correlationId: ctx.correlationId }, now);
    }
    if (displayName === null || displayName === current.displayName) return current;
    const [updated] = await tx
      .update(users)
      .set({ displayName, version: sql`${users.version} + 1` })
      .where(eq(users.id, current.id))
      .returning();
    await enqueue(tx, userUpdatedEvent(updated!, now, { correlationId: ctx.correlationId }));
    return updated!;
  });
  return viewUser(user, viewer.userId);
}

/**
 * Changes the signed-in user's password after checking the current one, throttled on its own
 * counter (a stolen access token must not become a password oracle, and sign-in guesses by
 * others must not block a password change). Every refresh token
 * of the user is revoked and a new session returned: other devices must sign in again.
 */
export async function changePassword(
  ctx: IdentityContext,
  input: { currentPassword: string; newPassword: string },
): Promise<AuthSession> {
  const viewer = requireViewer(ctx);
  const svc = ctx.services;
  const [found] = await ctx.db
    .select({ user: users, passwordHash: credentials.passwordHash })
    .from(users)
    .innerJoin(credentials, eq(credentials.userId, users.id))
    .where(eq(users.id, viewer.userId));
  if (!found) throw new DomainError('UNAUTHENTICATED', 'the signed-in user no longer exists');
  const { user } = found;
  assertStrongPassword(input.newPassword, 'input.newPassword', {
    email: user.email,
    displayName: user.displayName,
  });
  const now = svc.clock.now();
  const attempt = await beginPasswordChangeAttempt(ctx.db, user.id, svc.throttles.passwordChange, now);
  let passwordHash: string;
  try {
    if (!(await svc.passwords.verify(input.currentPassword, found.passwordHash))) {
      await attempt.failed();
      throw invalidCredentials({ field: 'input.currentPassword' });
    }
    passwordHash = await svc.passwords.hash(input.newPassword);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'RATE_LIMITED') await attempt.abandoned();
    throw error;
  }
  await attempt.succeeded();
  return ctx.db.transaction(async (tx) => {
    await tx.update(credentials).set({ passwordHash, updatedAt: now }).where(eq(credentials.userId, user.id));
    await revokeAllSessions(tx, user.id, now, ctx.correlationId);
    return (await openSession(tx, svc, user, now)).session;
  });
}
