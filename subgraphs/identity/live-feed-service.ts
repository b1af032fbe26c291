import { type LiveTopic, liveTopics } from '@walletgraph/events';
import type { Viewer } from '@walletgraph/platform/auth/verifier';
import type { Database } from '@walletgraph/platform/db/database';
import type { FeedFilter, FeedPage } from '@walletgraph/platform/live/feed';
import type { Logger } from '@walletgraph/platform/logger';
import type { FeedPublisher } from '@walletgraph/platform/pubsub';
import type { ConsumerDefinition, HttpRequest, HttpRouter } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import { appendToFeed, FeedPositionGone, pruneFeed, readFeed } from './live-feed.ts';

/** Entries one `GET /live-feed` page holds at most, and by default. */
const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

/** Identity's part of the live feed: its store's reads and its publisher, and the prune that keeps it to its retention. */
export interface LiveFeedService {
  publisher: FeedPublisher;
  read(userId: string, after: bigint | null, filter: FeedFilter, limit: number): Promise<FeedPage>;
  stop(): void;
}

export function createLiveFeedService(deps: {
  db: Database<typeof schema>;
  publisher: FeedPublisher;
  logger: Logger;
  retention: { hours: number; events: number };
  pruneIntervalMs: number;
  now: () => Date;
}): LiveFeedService {
  const prune = () =>
    pruneFeed(
      deps.db,
      new Date(deps.now().getTime() - deps.retention.hours * 3_600_000),
      deps.retention.events,
    )
      .then((deleted) => {
        if (deleted > 0) deps.logger.debug({ deleted }, 'pruned the live feed');
      })
      .catch((err: unknown) =>
        deps.logger.warn({ err }, 'could not prune the live feed; trying again later'),
      );
  // Every replica prunes: the deletes are idempotent, and a lost round is caught up by the next.
  const pruner = setInterval(prune, deps.pruneIntervalMs);
  pruner.unref();
  return {
    publisher: deps.publisher,
    read: (userId, after, filter, limit) => readFeed(deps.db, userId, after, filter, limit),
    stop: () => clearInterval(pruner),
  };
}

/**
 * `identity.live-feed`: appends every `live.notices.v1` to its users' feeds, in the order the
 * messages come, and once committed publishes the entries on their users' channels for the
 * gateways. The inbox makes a redelivered message append nothing twice; a publish that fails
 * after commit is only logged: the gateways see the hole in the positions and read it back.
 */
export function liveFeedConsumer(feed: LiveFeedService): ConsumerDefinition<typeof schema> {
  return {
    name: 'identity.live-feed',
    batch: { ordered: true },
    batchHandlers: {
      async 'live.notices.v1'(events, tx, ctx) {
        const entries = await appendToFeed(
          tx,
          events.flatMap((event) => event.data.notices),
        );
        ctx.afterCommit(() => feed.publisher.publish(entries));
      },
    },
  };
}

/**
 * `GET /live-feed?after=<position>&topic=<topic>[&object=<id>][&limit=<n>]`: the caller's own
 * feed entries after a position, for the gateway replaying what a subscriber missed
 * (`Authorization: Bearer <the subscriber's token>`). Without `after`, no entries: where the feed
 * stands. Answers a FeedPage; 410 CURSOR_EXPIRED when entries after `after` were pruned.
 * Not part of the public API: the gateway turns it into `after:` and `extensions.cursor`.
 */
export function mountLiveFeed(
  router: HttpRouter,
  feed: LiveFeedService,
  viewerOf: (req: HttpRequest) => Promise<Viewer | null>,
): void {
  router.get('/live-feed', async (req, res) => {
    const viewer = await viewerOf(req).catch(() => null);
    if (!viewer) {
      res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'authentication required' } });
      return;
    }
    const query = parseQuery(req.query);
    if (typeof query === 'string') {
      res.status(400).json({ error: { code: 'BAD_USER_INPUT', message: query } });
      return;
    }
    try {
      const page = await feed.read(viewer.userId, query.after, query.filter, query.limit);
      res.set('cache-control', 'no-store').json(page);
    } catch (error) {
      if (!(error instanceof FeedPositionGone)) throw error;
      res
        .status(410)
        .json({ error: { code: 'CURSOR_EXPIRED', message: 'the feed no longer keeps that position' } });
    }
  });
}

const position = /^\d{1,19}$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The page asked for, or what is wrong with the query. */
function parseQuery(
  query: HttpRequest['query'],
): { after: bigint | null; filter: FeedFilter; limit: number } | string {
  const { after, topic, object, limit } = query;
  if (after !== undefined && (typeof after !== 'string' || !position.test(after))) return 'after: a position';
  if (typeof topic !== 'string' || !liveTopics.includes(topic as LiveTopic)) return 'topic: a live topic';
  if (object !== undefined && (typeof object !== 'string' || !uuid.test(object))) return 'object: an id';
  const size = limit === undefined ? DEFAULT_PAGE : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE) return `limit: 1 to ${MAX_PAGE}`;
  return {
    after: after === undefined ? null : BigInt(after),
    filter: { topic: topic as LiveTopic, objectId: object ?? null },
    limit: size,
  };
}
