import { type LiveTopic, liveTopics } from '@walletgraph/events';
import type { Viewer } from '@walletgraph/platform/auth/verifier';
import type { Database } from '@walletgraph/platform/db/database';
import { type FeedEntry, type FeedFilter, type FeedPage, feedCursor } from '@walletgraph/platform/live/feed';
import type { Logger } from '@walletgraph/platform/logger';
import type { FeedPublisher } from '@walletgraph/platform/pubsub';
import type { ConsumerDefinition, HttpRequest, HttpRouter } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import {
  appendToFeed,
  FeedPositionGone,
  markPublished,
  pruneFeed,
  readFeed,
  unpublished,
} from './live-feed.ts';

/** Entries one `GET /live-feed` page holds at most, and by default. */
const MAX_PAGE = 500;
const DEFAULT_PAGE = 100;

/** Entries a republish round takes at most. */
const REPUBLISH_BATCH = 1_000;

/** Identity's part of the live feed: its store's reads, publishing what it stored, and the rounds that keep it whole. */
export interface LiveFeedService {
  /**
   * Publishes stored entries on their users' channels and records it; a failure is logged, and
   * the republish round sends them again.
   */
  publish(entries: readonly FeedEntry[]): Promise<void>;
  read(userId: string, after: bigint | null, filter: FeedFilter, limit: number): Promise<FeedPage>;
  stop(): void;
}

/**
 * The live feed's service. Two rounds run on every replica (what they do is idempotent): the
 * prune, every `pruneIntervalMs`, to the retention; and the republish, every `republishAfterMs`,
 * of entries stored that long ago and still not published (Redis was away, or the process died
 * between commit and publish). A gateway learns of an entry it never got only from the next one
 * (its position skips), so without the republish a user's last entry could wait for their next
 * event; with it, at most `republishAfterMs` after Redis is back.
 */
export function createLiveFeedService(deps: {
  db: Database<typeof schema>;
  publisher: FeedPublisher;
  logger: Logger;
  retention: { hours: number; events: number };
  pruneIntervalMs: number;
  republishAfterMs?: number;
  now: () => Date;
}): LiveFeedService {
  const { db, logger } = deps;
  const republishAfterMs = deps.republishAfterMs ?? 1_000;
  const publish = async (entries: readonly FeedEntry[]) => {
    await deps.publisher.publish(entries);
    await markPublished(db, entries);
  };
  const prune = () =>
    pruneFeed(db, new Date(deps.now().getTime() - deps.retention.hours * 3_600_000), deps.retention.events)
      .then((deleted) => {
        if (deleted > 0) logger.debug({ deleted }, 'pruned the live feed');
      })
      .catch((err: unknown) => logger.warn({ err }, 'could not prune the live feed; trying again later'));
  let republishing = false;
  const republish = async () => {
    if (republishing) return;
    republishing = true;
    try {
      const entries = await unpublished(db, new Date(Date.now() - republishAfterMs), REPUBLISH_BATCH);
      if (entries.length === 0) return;
      await publish(entries);
      logger.info({ entries: entries.length }, 'republished live feed entries Redis had not taken');
    } catch (err) {
      logger.debug({ err }, 'could not republish live feed entries; trying again');
    } finally {
      republishing = false;
    }
  };
  const timers = [setInterval(prune, deps.pruneIntervalMs), setInterval(republish, republishAfterMs)];
  for (const timer of timers) timer.unref();
  return {
    async publish(entries) {
      await publish(entries).catch((err: unknown) =>
        logger.warn(
          { err, entries: entries.length },
          'could not publish live feed entries; they will be republished',
        ),
      );
    },
    read: (userId, after, filter, limit) => readFeed(db, userId, after, filter, limit),
    stop: () => {
      for (const timer of timers) clearInterval(timer);
    },
  };
}

/**
 * `identity.live-feed`: appends every `live.notices.v1` to its users' feeds, in the order the
 * messages come, and once committed publishes the entries on their users' channels for the
 * gateways. The inbox makes a redelivered message append nothing twice; an entry whose publish
 * fails is republished by the service's round, and gateways read back any they missed.
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
        ctx.afterCommit(() => feed.publish(entries));
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

/** The cursor of where `userId`'s feed stands now (`Query.liveCursor`): its head's position. */
export async function liveCursor(feed: LiveFeedService, userId: string): Promise<string> {
  // A read without a position answers no entries, only where the feed stands (any topic will do).
  const page = await feed.read(userId, null, { topic: 'balanceChanged', objectId: null }, 1);
  return feedCursor(userId, BigInt(page.through));
}
