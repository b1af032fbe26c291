import { DomainError } from '@walletgraph/platform/errors';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { eq, sql } from 'drizzle-orm';
import type { IdentityContext, IdentityExecutor } from './context.ts';
import { isUniqueViolation } from './db/errors.ts';
import { emailVerifications, type UserRow, users } from './db/schema.ts';
import { type UserView, viewUser } from './domain/user-view.ts';
import {
  decideVerification,
  newVerificationCode,
  verificationCodeHash,
  verificationPolicy,
} from './domain/verification.ts';
import { emailVerifiedEvent, userUpdatedEvent, verificationRequestedEvent } from './events.ts';

const invalidCode = () =>
  new DomainError(
    'INVALID_VERIFICATION_CODE',
    'code: not the code mailed, or no longer valid; ask for a new one',
    {
      field: 'code',
    },
  );

/**
 * Issues a code for `email` inside the caller's transaction: replaces the user's pending code,
 * stores only its hash, and enqueues the mail (sent by the mailer after commit, retried, never
 * inside this transaction). At most one per `resendAfterSeconds`: RATE_LIMITED otherwise.
 */
export async function issueVerification(
  tx: IdentityExecutor,
  request: { userId: string; email: string; correlationId: string },
  now: Date,
): Promise<void> {
  const [previous] = await tx
    .select({ createdAt: emailVerifications.createdAt })
    .from(emailVerifications)
    .where(eq(emailVerifications.userId, request.userId))
    .for('update');
  const nextAllowed = previous
    ? previous.createdAt.getTime() + verificationPolicy.resendAfterSeconds * 1000
    : Number.NEGATIVE_INFINITY;
  if (nextAllowed > now.getTime()) {
    const seconds = Math.ceil((nextAllowed - now.getTime()) / 1000);
    throw new DomainError('RATE_LIMITED', `a code was mailed a moment ago; try again in ${seconds} s`, {
      retryAfterSeconds: seconds,
    });
  }
  const code = newVerificationCode();
  const expiresAt = new Date(now.getTime() + verificationPolicy.ttlSeconds * 1000);
  const row = {
    email: request.email,
    codeHash: verificationCodeHash(code),
    attempts: 0,
    createdAt: now,
    expiresAt,
  };
  await tx
    .insert(emailVerifications)
    .values({ userId: request.userId, ...row })
    .onConflictDoUpdate({ target: emailVerifications.userId, set: row });
  await enqueue(
    tx,
    verificationRequestedEvent({ userId: request.userId, email: request.email, code, expiresAt }, now, {
      correlationId: request.correlationId,
    }),
  );
}

/**
 * Mails a new code to the address awaiting proof: the one `updateProfile` asked to move to, or
 * else the user's own while unproven. False when nothing awaits proof.
 */
export async function requestEmailVerification(ctx: IdentityContext): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const now = ctx.services.clock.now();
  return ctx.db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, viewer.userId)).for('update');
    if (!user) throw new DomainError('UNAUTHENTICATED', 'the signed-in user no longer exists');
    const [pending] = await tx
      .select({ email: emailVerifications.email, expiresAt: emailVerifications.expiresAt })
      .from(emailVerifications)
      .where(eq(emailVerifications.userId, user.id));
    // A shadow's address is another account's: it is never mailed a code, though the answer
    // is the one any unproven address gets.
    if (!pending && user.shadow) return true;
    const email = pending?.email ?? (user.emailVerifiedAt ? null : user.email);
    if (email === null) return false;
    await issueVerification(tx, { userId: user.id, email, correlationId: ctx.correlationId }, now);
    return true;
  });
}

type VerifyOutcome = { kind: 'verified'; user: UserRow } | { kind: 'refused' } | { kind: 'taken' };

/**
 * Proves the pending address with `code`. A wrong code counts (its count commits even though
 * the answer is an error) and the fifth burns it; an expired or burnt code is refused like a
 * wrong one. Proven: the address becomes the user's email, announced with
 * `identity.email_verified.v1` (and `identity.user_updated.v1` when it changed). An address
 * another account proved in the meantime is EMAIL_TAKEN.
 */
export async function verifyEmail(ctx: IdentityContext, code: string): Promise<UserView> {
  const viewer = requireViewer(ctx);
  const now = ctx.services.clock.now();
  const meta = { correlationId: ctx.correlationId };
  let outcome: VerifyOutcome;
  try {
    outcome = await ctx.db.transaction(async (tx): Promise<VerifyOutcome> => {
      const [pending] = await tx
        .select()
        .from(emailVerifications)
        .where(eq(emailVerifications.userId, viewer.userId))
        .for('update');
      const decision = decideVerification(pending, code, now);
      switch (decision.kind) {
        case 'none':
          return { kind: 'refused' };
        case 'wrong':
          if (decision.burn) {
            await tx.delete(emailVerifications).where(eq(emailVerifications.userId, viewer.userId));
          } else {
            await tx
              .update(emailVerifications)
              .set({ attempts: sql`${emailVerifications.attempts} + 1` })
              .where(eq(emailVerifications.userId, viewer.userId));
          }
          return { kind: 'refused' };
        case 'verified': {
          await tx.delete(emailVerifications).where(eq(emailVerifications.userId, viewer.userId));
          const [current] = await tx.select().from(users).where(eq(users.id, viewer.userId)).for('update');
          if (!current) throw new DomainError('UNAUTHENTICATED', 'the signed-in user no longer exists');
          const moved = current.email !== decision.email;
          const [user] = await tx
            .update(users)
            .set({
              email: decision.email,
              emailVerifiedAt: now,
              // Proven an address of its own: a shadow account is a full one from now on.
              shadow: false,
              ...(moved ? { version: sql`${users.version} + 1` } : {}),
            })
            .where(eq(users.id, current.id))
            .returning();
          if (moved) await enqueue(tx, userUpdatedEvent(user!, now, meta));
          await enqueue(tx, emailVerifiedEvent(user!, now, meta));
          return { kind: 'verified', user: user! };
        }
      }
    });
  } catch (error) {
    if (!isUniqueViolation(error, 'users_email_key')) throw error;
    outcome = { kind: 'taken' };
  }
  if (outcome.kind === 'refused') throw invalidCode();
  if (outcome.kind === 'taken') {
    throw new DomainError('EMAIL_TAKEN', 'another account has proven this address since', { field: 'code' });
  }
  return viewUser(outcome.user, viewer.userId);
}
