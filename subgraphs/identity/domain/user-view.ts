import type { UserRow } from '../db/schema.ts';

/**
 * A user as one viewer may see them. Public: `id` and `displayName` (what another subgraph may
 * show of a counterparty). Private, to the user themself only: `email` and `createdAt`; for
 * anyone else they are null and the GraphQL field answers FORBIDDEN, since the schema makes
 * them non-null.
 */
export interface UserView {
  id: string;
  displayName: string;
  email: string | null;
  createdAt: Date | null;
}

/** The view of `user` for a viewer (null: anonymous). */
export function viewUser(user: UserRow, viewerId: string | null | undefined): UserView {
  const self = viewerId === user.id;
  return {
    id: user.id,
    displayName: user.displayName,
    email: self ? user.email : null,
    createdAt: self ? user.createdAt : null,
  };
}
