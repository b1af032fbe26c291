import { DomainError } from '@walletgraph/platform/errors';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { and, eq, getTableColumns, isNull } from 'drizzle-orm';
import type { IdentityContext, IdentityExecutor, IdentityServices } from './context.ts';
import { credentials, refreshTokens, type UserRow, users } from './db/schema.ts';
import { isValidEmail, normaliseEmail } from './domain/email.ts';
import { decideRefresh } from './domain/refresh.ts';
import { type UserView, viewUser } from './domain/user-view.ts';
import { sessionsRevokedEvent } from './events.ts';
import { beginSignInAttempt } from './login-throttle.ts';
import { rememberAddress } from './sign-in-addresses.ts';
import { issueAccessToken, newRefreshToken, refreshTokenHash } from './tokens.ts';

/** The GraphQL `AuthSession`. */
export interface AuthSession {
  accessToken: string;
  refreshToken: string;
  accessTokenExpiresAt: Date;
  user: UserView;
}

export const invalidCredentials = (details: Record<string, unknown> = {}) =>
  new DomainError('INVALID_CREDENTIALS', 'email or password is incorrect', details);
const invalidRefreshToken = () =>
  new DomainError('INVALID_REFRESH_TOKEN', 'refresh token is invalid or expired');

/** A session just opened, and the id of its refresh token's row (what a rotated row is replaced by). */
export interface OpenedSession {
  session: AuthSession;
  refreshTokenId: string;
}

/**
 * Starts a session for a user inside the caller's transaction: stores a new refresh token (of
 * `familyId`, or of a new family: a new sign-in) and signs an access token.
 */
export async function openSession(
  tx: IdentityExecutor,
  svc: IdentityServices,
  user: UserRow,
  now: Date,
  familyId: string = svc.newId(),
): Promise<OpenedSession> {
  const refresh = newRefreshToken();
  const refreshTokenId = svc.newId();
  await tx.insert(refreshTokens).values({
    id: refreshTokenId,
    userId: user.id,
    familyId,
    tokenHash: refresh.hash,
    createdAt: now,
    expiresAt: new Date(now.getTime() + svc.refreshTokenTtlSeconds * 1000),
  });
  const access = await issueAccessToken(svc.keys, user.id, now, svc.accessTokens);
  const session = {
    accessToken: access.token,
    refreshToken: refresh.token,
    accessTokenExpiresAt: access.expiresAt,
    // The holder of a session is the user themself.
    user: viewUser(user, user.id),
  };
  return { session, refreshTokenId };
}

/**
 * Signs in with email and password. An unknown email and a wrong password answer the same
 * INVALID_CREDENTIALS after the same scrypt work; the attempt takes its place in the throttle
 * windows first (login-throttle.ts), so parallel guesses are limited like sequential ones. A
 * correct password from an address that has signed in to the account before is accepted even
 * while the throttles are full: no one else's guesses lock the owner out.
 */
export async function login(
  ctx: IdentityContext,
  input: { email: string; password: string },
): Promise<AuthSession> {
  const svc = ctx.services;
  const email = normaliseEmail(input.email);
  const now = svc.clock.now();
  if (!isValidEmail(email)) {
    await svc.passwords.verifyDummy(input.password);
    throw invalidCredentials();
  }
  const attempt = await beginSignInAttempt(ctx.db, { email, address: ctx.clientAddress }, svc.throttles, now);
  const [found] = await ctx.db
    .select({ user: users, passwordHash: credentials.passwordHash })
    .from(users)
    .innerJoin(credentials, eq(credentials.userId, users.id))
    // A shadow account never signs in with the address it was registered with (accounts.ts).
    .where(and(eq(users.email, email), eq(users.shadow, false)));
  let matches: boolean;
  try {
    matches = found
      ? await svc.passwords.verify(input.password, found.passwordHash)
      : await svc.passwords.verifyDummy(input.password);
  } catch (error) {
    await attempt.abandoned();
    throw error;
  }
  if (!found || !matches) {
    await attempt.failed();
    throw attempt.refusal ?? invalidCredentials();
  }
  // Upgrade hashes made with older parameters while the password is at hand; a full pool only
  // postpones the upgrade to a later sign-in.
  const rehashed = svc.passwords.needsRehash(found.passwordHash)
    ? await svc.passwords.hash(input.password).catch(() => null)
    : null;
  await attempt.succeeded();
  return ctx.db.transaction(async (tx) => {
    if (rehashed) {
      await tx
        .update(credentials)
        .set({ passwordHash: rehashed, updatedAt: now })
        .where(eq(credentials.userId, found.user.id));
    }
    await rememberAddress(tx, found.user.id, ctx.clientAddress, now);
    return (await openSession(tx, svc, found.user, now)).session;
  });
}

type RefreshOutcome = { kind: 'rotated'; session: AuthSession } | { kind: 'refused'; reuse: boolean };

/**
 * Exchanges a refresh token for a new session of the same family. The row is locked, so two
 * concurrent refreshes with one token cannot both rotate it: the second sees it rotated and is
 * treated as reuse, which revokes the family (docs/architecture.md §9).
 */
export async function refreshSession(ctx: IdentityContext, token: string): Promise<AuthSession> {
  const svc = ctx.services;
  const hash = refreshTokenHash(token);
  if (!hash) throw invalidRefreshToken();
  const now = svc.clock.now();
  // The family's revocation must commit, so the refusal is returned from the transaction and
  // thrown after it.
  const outcome = await ctx.db.transaction(async (tx): Promise<RefreshOutcome> => {
    const [token] = await tx
      .select({ ...getTableColumns(refreshTokens), user: users })
      .from(refreshTokens)
      .innerJoin(users, eq(users.id, refreshTokens.userId))
      .where(eq(refreshTokens.tokenHash, hash))
      .for('update', { of: refreshTokens });
    const decision = decideRefresh(token, now);
    switch (decision.kind) {
      case 'invalid':
        return { kind: 'refused', reuse: false };
      case 'reuse-detected':
        await tx
          .update(refreshTokens)
          .set({ revokedAt: now })
          .where(and(eq(refreshTokens.familyId, decision.familyId), isNull(refreshTokens.revokedAt)));
        return { kind: 'refused', reuse: true };
      case 'rotate': {
        const { session, refreshTokenId } = await openSession(
          tx,
          svc,
          decision.token.user,
          now,
          decision.token.familyId,
        );
        await tx
          .update(refreshTokens)
          .set({ rotatedAt: now, replacedBy: refreshTokenId })
          .where(eq(refreshTokens.id, decision.token.id));
        return { kind: 'rotated', session };
      }
    }
  });
  if (outcome.kind === 'rotated') return outcome.session;
  if (outcome.reuse) ctx.logger.warn('refresh token reused; its session family is revoked');
  throw invalidRefreshToken();
}

/**
 * Ends the session a refresh token belongs to (its whole family). True when a live session
 * ended; false for an unknown token or a session already ended. The access token already
 * issued stays valid until it expires (at most ACCESS_TOKEN_TTL_SECONDS).
 */
export async function logout(ctx: IdentityContext, token: string): Promise<boolean> {
  const hash = refreshTokenHash(token);
  if (!hash) return false;
  const [row] = await ctx.db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, hash));
  if (!row) return false;
  const ended = await revokeWhere(ctx.db, eq(refreshTokens.familyId, row.familyId), ctx.services.clock.now());
  return ended > 0;
}

/** Ends every session of the signed-in user, their access tokens and live sockets included. */
export async function logoutEverywhere(ctx: IdentityContext): Promise<boolean> {
  const viewer = requireViewer(ctx);
  const now = ctx.services.clock.now();
  await ctx.db.transaction((tx) => revokeAllSessions(tx, viewer.userId, now, ctx.correlationId));
  return true;
}

/**
 * Revokes every live refresh token of a user (sign-out everywhere, password change) inside the
 * caller's transaction, and announces it (`identity.sessions_revoked.v1`): the gateways then
 * refuse access tokens issued before `now` and close the sockets opened with them. A session the
 * same transaction opens afterwards (a password change's new one) is issued at `now` and stays.
 */
export async function revokeAllSessions(
  tx: IdentityExecutor,
  userId: string,
  now: Date,
  correlationId: string,
): Promise<number> {
  const revoked = await revokeWhere(tx, eq(refreshTokens.userId, userId), now);
  await enqueue(tx, sessionsRevokedEvent(userId, now, { correlationId }));
  return revoked;
}

async function revokeWhere(db: IdentityExecutor, which: ReturnType<typeof eq>, now: Date): Promise<number> {
  const revoked = await db
    .update(refreshTokens)
    .set({ revokedAt: now })
    .where(and(which, isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  return revoked.length;
}
