import { isUuid } from '@walletgraph/platform/ids';
import DataLoader from 'dataloader';
import { inArray } from 'drizzle-orm';
import { type UserRow, users } from './db/schema.ts';
import { type UserView, viewReferencedUser } from './domain/user-view.ts';
import type { IdentityContext } from './services.ts';

// One loader per request context: the entity references of one query are fetched in one
// `where id in (…)`, and nothing is cached across requests.
const loaders = new WeakMap<IdentityContext, DataLoader<string, UserRow | null>>();

function loaderFor(ctx: IdentityContext): DataLoader<string, UserRow | null> {
  let loader = loaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(async (ids: readonly string[]) => {
      const rows = await ctx.db
        .select()
        .from(users)
        .where(inArray(users.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    loaders.set(ctx, loader);
  }
  return loader;
}

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
