import { insertJsonRows } from '@walletgraph/platform/db/json-rows';
import { rowsByIdLoader } from '@walletgraph/platform/db/rows-by-id';
import { parseId, type UserId } from '@walletgraph/platform/ids';
import { oncePer } from '@walletgraph/platform/once-per';
import { requestLoader } from '@walletgraph/platform/request-loader';
import type { ConsumerDefinition } from '@walletgraph/platform/subgraph';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { IdentityContext } from './context.ts';
import * as schema from './db/schema.ts';
import { type UserView, viewReferencedUser } from './domain/user-view.ts';

const { counterparties, users } = schema;

// One loader per request context: the entity references of one query are fetched in one
// `where id in (…)`, and nothing is cached across requests.
const loaderFor = oncePer((ctx: IdentityContext) => rowsByIdLoader(ctx.db, users, users.id));

/** Per request: which of the users asked about the viewer has completed a transfer with. */
const counterpartyLoaderFor = requestLoader(async (ctx: IdentityContext, userIds: readonly UserId[]) => {
  const viewerId = ctx.viewer?.userId;
  if (!viewerId) return userIds.map(() => false);
  const rows = await ctx.db
    .select({ userId: counterparties.userId })
    .from(counterparties)
    .where(and(eq(counterparties.viewerId, viewerId), inArray(counterparties.userId, [...userIds])));
  const known = new Set(rows.map((r) => r.userId));
  return userIds.map((id) => known.has(id));
});

/**
 * A user as the request's viewer may see them, or null. The viewer sees themself; another user
 * only once they completed a transfer together (the counterparty a transfer shows), and then
 * only the public profile: `selected` are the fields the caller asked for, and another user's
 * private ones make the answer null too (viewReferencedUser). Anyone else, and an anonymous
 * caller, gets null, exactly as for an id no user has: asking identity's port directly with any
 * id maps it to no one's name.
 */
export async function findUser(
  ctx: IdentityContext,
  id: string,
  selected: ReadonlySet<string>,
): Promise<UserView | null> {
  const userId = parseId<'User'>(id);
  if (!ctx.viewer || !userId) return null;
  const viewerId = ctx.viewer.userId;
  const [row, visible] = await Promise.all([
    loaderFor(ctx).load(userId),
    userId === viewerId ? true : counterpartyLoaderFor(ctx).load(userId),
  ]);
  return row && visible ? viewReferencedUser(row, viewerId, selected) : null;
}

/**
 * `identity.counterparties`: who met whom, from the wallet subgraph's announcement of each new
 * counterparty pair (`wallet.counterparty_added.v1`, once per viewer and wallet: far fewer than
 * settlements). Set-based: one insert for the pairs of a batch.
 */
export const counterpartiesConsumer: ConsumerDefinition<typeof schema> = {
  name: 'identity.counterparties',
  batchHandlers: {
    async 'wallet.counterparty_added.v1'(events, tx) {
      const pairs = new Map<string, schema.NewCounterpartyRow>();
      for (const event of events) {
        const { viewerId, ownerId } = event.data;
        const since = new Date(event.occurredAt);
        const key = `${viewerId}:${ownerId}`;
        const known = pairs.get(key);
        if (!known || since < known.since) pairs.set(key, { viewerId, userId: ownerId, since });
      }
      await tx.execute(sql`${insertJsonRows(counterparties, [...pairs.values()])} on conflict do nothing`);
    },
  },
};
