import { createEvent, type EventMeta } from '@walletgraph/events';
import type { Currency } from '@walletgraph/platform/money';
import type { UserRow } from './db/schema.ts';

/**
 * Identity emits, and consumes nothing:
 * - `identity.user_registered.v1` with the user, in the registration's transaction (the wallet
 *   subgraph opens the default wallet in `currency` from it);
 * - `identity.user_updated.v1` whenever the profile changes, in that change's transaction.
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
