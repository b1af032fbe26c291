import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { isUuid } from '@walletgraph/platform/ids';
import { oncePer } from '@walletgraph/platform/once-per';
import { users } from './db/schema.ts';
import { type UserView, viewReferencedUser } from './domain/user-view.ts';
import type { IdentityContext } from './services.ts';

// One loader per request context: the entity references of one query are fetched in one
// `where id in (…)`, and nothing is cached across requests.
const loaderFor = oncePer((ctx: IdentityContext) => rowsByIdLoader(ctx.db, users, users.id));

/**
 * A user as the request's viewer may see them, or null when no user has this id. An anonymous
 * caller sees no one: only a signed-in viewer has a reason to see another user's public profile
 * (a counterparty), and without a viewer a reference would confirm that the id is a user's.
 * `selected` are the fields the caller asked for: another user's private ones make the answer
 * null too (viewReferencedUser).
 */
export async function findUser(
  ctx: IdentityContext,
  id: string,
  selected: ReadonlySet<string>,
): Promise<UserView | null> {
  if (!ctx.viewer || !isUuid(id)) return null;
  const row = await loaderFor(ctx).load(id);
  return row ? viewReferencedUser(row, ctx.viewer.userId, selected) : null;
}
