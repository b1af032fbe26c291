import { createEvent, type EventMeta } from '@walletgraph/events';
import type { Currency } from '@walletgraph/platform/money';
import type { UserRow } from './db/schema.ts';

/**
 * Identity emits, and consumes only its own verification mail requests (mailer.ts):
 * - `identity.user_registered.v1` with the user, in the registration's transaction (the wallet
 *   subgraph opens the default wallet in `currency` from it);
 * - `identity.user_updated.v1` whenever the profile changes, in that change's transaction;
 * - `identity.email_verification_requested.v1` with a code to mail, in the transaction that
 *   stored its hash;
 * - `identity.email_verified.v1` once a code proved an address (transfers by email use it);
 * - `identity.sessions_revoked.v1` when every session of a user ends, in that transaction;
 * - `identity.address_reuse_attempted.v1` when someone registers with an address an account
 *   holds: the mailer tells the holder.
 * `aggregateVersion` is the user's `version`, so a consumer can drop an update older than what it has.
 */
export function userRegisteredEvent(user: UserRow, currency: Currency, meta: EventMeta) {
  return createEvent(
    'identity.user_registered.v1',
    {
      aggregateId: user.id,
      aggregateVersion: user.version,
      occurredAt: user.createdAt,
      data: { userId: user.id, email: user.email, displayName: user.displayName, currency },
    },
    meta,
  );
}

/** The `identity.user_updated.v1` event for a user's new profile. */
export function userUpdatedEvent(user: UserRow, occurredAt: Date, meta: EventMeta) {
  return createEvent(
    'identity.user_updated.v1',
    {
      aggregateId: user.id,
      aggregateVersion: user.version,
      occurredAt,
      data: { userId: user.id, email: user.email, displayName: user.displayName },
    },
    meta,
  );
}

/** The `identity.email_verification_requested.v1` event: a code for the mailer to send. */
export function verificationRequestedEvent(
  request: { userId: string; email: string; code: string; expiresAt: Date },
  occurredAt: Date,
  meta: EventMeta,
) {
  const { userId, email, code, expiresAt } = request;
  return createEvent(
    'identity.email_verification_requested.v1',
    { aggregateId: userId, occurredAt, data: { userId, email, code, expiresAt: expiresAt.toISOString() } },
    meta,
  );
}

/** The `identity.email_verified.v1` event: `user.email` is proven. */
export function emailVerifiedEvent(user: UserRow, occurredAt: Date, meta: EventMeta) {
  return createEvent(
    'identity.email_verified.v1',
    {
      aggregateId: user.id,
      aggregateVersion: user.version,
      occurredAt,
      data: { userId: user.id, email: user.email },
    },
    meta,
  );
}

/** The `identity.sessions_revoked.v1` event: the user's tokens issued before `notBefore` are void. */
export function sessionsRevokedEvent(userId: string, notBefore: Date, meta: EventMeta) {
  return createEvent(
    'identity.sessions_revoked.v1',
    { aggregateId: userId, occurredAt: notBefore, data: { userId, notBefore: notBefore.toISOString() } },
    meta,
  );
}

/** The `identity.address_reuse_attempted.v1` event: tell the holder of `email` someone tried it. */
export function addressReuseAttemptedEvent(email: string, occurredAt: Date, meta: EventMeta) {
  return createEvent(
    'identity.address_reuse_attempted.v1',
    { aggregateId: email, occurredAt, data: { email } },
    meta,
  );
}
