import type { UserRow } from '../db/schema.ts';

/**
 * A user as one viewer may see them. Public: `id` and `displayName` (what a transfer's
 * counterparty sees of the other side's owner). Private, to the user themself only: `email`,
 * `createdAt` and `emailVerified`; null in anyone else's view, which `viewReferencedUser` never hands to a caller
 * who selected them.
 */
export interface UserView {
  id: string;
  displayName: string;
  email: string | null;
  createdAt: Date | null;
  emailVerified: boolean | null;
}

/** The fields of User only the user themself may see. */
export const privateUserFields = ['email', 'createdAt', 'emailVerified'] as const;

/** The view of `user` for a viewer (null: anonymous). */
export function viewUser(user: UserRow, viewerId: string | null | undefined): UserView {
  const self = viewerId === user.id;
  return {
    id: user.id,
    displayName: user.displayName,
    email: self ? user.email : null,
    createdAt: self ? user.createdAt : null,
    emailVerified: self ? user.emailVerifiedAt !== null : null,
  };
}

/**
 * What a reference to `user` (federation `_entities`) resolves to for a viewer who selected
 * `selected` fields of it: null when they are not the user and ask for a private field, exactly
 * as for an id no user has. Another user's private data is indistinguishable from none, never a
 * FORBIDDEN that would confirm whose it is (docs/architecture.md §9); the schema makes those fields
 * non-null, so the whole user is what answers null.
 */
export function viewReferencedUser(
  user: UserRow,
  viewerId: string,
  selected: ReadonlySet<string>,
): UserView | null {
  const asksPrivate = privateUserFields.some((field) => selected.has(field));
  return asksPrivate && viewerId !== user.id ? null : viewUser(user, viewerId);
}
