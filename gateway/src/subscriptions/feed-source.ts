import type { Viewer } from '@walletgraph/platform/auth/verifier';
import { toGraphQLError } from '@walletgraph/platform/errors';
import type { FeedFilter, FeedPage } from '@walletgraph/platform/live/feed';
import { cursorExpired } from '@walletgraph/platform/live/feed';
import { GraphQLError } from 'graphql';

/** Reads a page of the subscriber's feed after a position (null: none, only where it stands). */
export type ReadFeed = (after: bigint | null, filter: FeedFilter, limit: number) => Promise<FeedPage>;

/** How long one page may take before the read fails (and the subscription with it). */
const READ_TIMEOUT_MS = 10_000;

/**
 * Reads subscribers' feeds from identity's `GET /live-feed` at `url`, each as its subscriber (their
 * bearer token): identity answers only the caller's own entries. CURSOR_EXPIRED when the feed no
 * longer keeps the position; any other failure is an error the subscription ends with.
 */
export function feedReader(url: string): (viewer: Viewer) => ReadFeed {
  return (viewer) => async (after, filter, limit) => {
    const query = new URLSearchParams({ topic: filter.topic, limit: String(limit) });
    if (after !== null) query.set('after', after.toString());
    if (filter.objectId) query.set('object', filter.objectId);
    const response = await fetch(`${url}?${query}`, {
      headers: { authorization: `Bearer ${viewer.token}` },
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    if (response.status === 410) throw toGraphQLError(cursorExpired());
    if (!response.ok) {
      throw new GraphQLError(
        'the live feed cannot be read right now: subscribe again with your last cursor',
        {
          extensions: { code: 'INTERNAL_SERVER_ERROR', status: response.status },
        },
      );
    }
    return (await response.json()) as FeedPage;
  };
}
