import type { FeedEntryMessage, FeedPage } from '@walletgraph/platform/live/feed';
import { latencyBuckets, type Metrics } from '@walletgraph/platform/metrics';
import type { LiveTopic } from '@walletgraph/platform/pubsub';
import type { WebSocketServer } from 'ws';
import { isOverBudget } from './event-budget.ts';

/**
 * The live side of the gateway in Prometheus (docs/metrics.md): open sockets, active
 * subscriptions by topic (the Subscription field), and what became of each topic's events:
 * `delivered` (sent to the socket; also timed from the feed entry's `at`), `replayed` (of those
 * delivered, read back from the feed's store rather than arriving live: a resume `after:`, or
 * catching up after a gap, a reconnection, or a client too slow for its queue), `coalesced`
 * (replaced by a later one about the same object while the client was behind), `dropped` (the
 * user's live budget refused it: its subscription ends with RATE_LIMITED).
 *
 * Kept apart from the feed (feed.ts), which it watches from outside: through the `read` and
 * `readPage` it is given, and its `coalesced` count.
 */
export interface LiveMetrics {
  /** Counts the server's sockets as they open and close. */
  watchSockets(wss: WebSocketServer): void;
  /** Marks a store page's entries, so that notices read from them count as replayed. */
  fromStore(page: Promise<FeedPage>): Promise<FeedPage>;
  /** Remembers a notice's topic, entry time and origin for when it is delivered; answers it. */
  noted<T extends object>(notice: T | null, entry: FeedEntryMessage): T | null;
  /** A subscription's events, counted active until they end, with coalesced and dropped ones counted. */
  follow<T>(
    topic: LiveTopic,
    feed: { readonly coalesced: number },
    events: AsyncIterableIterator<T>,
  ): AsyncIterableIterator<T>;
  /** An event's notice was sent to its socket (cursors.ts): delivered, maybe replayed, and timed. */
  delivered(notice: unknown): void;
}

type Result = 'delivered' | 'coalesced' | 'dropped' | 'replayed';

interface Noted {
  topic: LiveTopic;
  /** The entry's time, ms since the epoch, when its message said. */
  at: number | null;
  stored: boolean;
}

export function createLiveMetrics(metrics: Metrics): LiveMetrics {
  const sockets = metrics.gauge({
    name: 'walletgraph_gateway_websockets_open',
    help: 'WebSockets open on this gateway process',
  });
  const active = metrics.gauge({
    name: 'walletgraph_gateway_subscriptions_active',
    help: 'Subscriptions open on this gateway process, by topic (Subscription field)',
    labelNames: ['topic'],
  });
  const events = metrics.counter({
    name: 'walletgraph_gateway_live_events_total',
    help: 'Live events by topic and what became of them: delivered, replayed (of those delivered, read from the store), coalesced, dropped',
    labelNames: ['topic', 'result'],
  });
  const latency = metrics.histogram({
    name: 'walletgraph_gateway_live_delivery_latency_seconds',
    help: "Time from a feed entry's `at` to its event being sent to the socket, by topic",
    labelNames: ['topic'],
    buckets: latencyBuckets,
  });
  // Topics are a fixed few: every child once, never a label lookup per event.
  const children = new Map<
    LiveTopic,
    { active: ReturnType<typeof active.labels>; latency: ReturnType<typeof latency.labels> } & Record<
      Result,
      ReturnType<typeof events.labels>
    >
  >();
  const of = (topic: LiveTopic) => {
    let found = children.get(topic);
    if (!found) {
      const result = (r: Result) => events.labels({ topic, result: r });
      found = {
        active: active.labels({ topic }),
        latency: latency.labels({ topic }),
        delivered: result('delivered'),
        coalesced: result('coalesced'),
        dropped: result('dropped'),
        replayed: result('replayed'),
      };
      children.set(topic, found);
    }
    return found;
  };
  const stored = new WeakSet<FeedEntryMessage>();
  const noted = new WeakMap<object, Noted>();

  return {
    watchSockets(wss) {
      wss.on('connection', (socket) => {
        sockets.inc();
        socket.once('close', () => sockets.dec());
      });
    },
    async fromStore(page) {
      const read = await page;
      for (const entry of read.entries) stored.add(entry);
      return read;
    },
    noted(notice, entry) {
      // A notice of the channel reaches every subscription on it as one object: noted once.
      if (notice !== null && !noted.has(notice)) {
        const at = entry.at === undefined ? Number.NaN : Date.parse(entry.at);
        noted.set(notice, {
          topic: entry.topic,
          at: Number.isNaN(at) ? null : at,
          stored: stored.has(entry),
        });
      }
      return notice;
    },
    follow<T>(
      topic: LiveTopic,
      feed: { readonly coalesced: number },
      source: AsyncIterableIterator<T>,
    ): AsyncIterableIterator<T> {
      const counts = of(topic);
      counts.active.inc();
      let coalesced = 0;
      let ended = false;
      const settle = () => {
        const now = feed.coalesced;
        if (now > coalesced) counts.coalesced.inc(now - coalesced);
        coalesced = now;
      };
      const end = () => {
        settle();
        if (ended) return;
        ended = true;
        counts.active.dec();
      };
      const followed: AsyncIterableIterator<T> = {
        async next() {
          const result = await source.next();
          if (result.done) end();
          else {
            settle();
            if (isOverBudget(result.value)) counts.dropped.inc();
          }
          return result;
        },
        async return(value) {
          end();
          return (await source.return?.(value)) ?? { value: undefined, done: true };
        },
        async throw(error) {
          end();
          if (source.throw) return source.throw(error);
          throw error;
        },
        [Symbol.asyncIterator]() {
          return followed;
        },
      };
      return followed;
    },
    delivered(notice) {
      const found = typeof notice === 'object' && notice !== null ? noted.get(notice) : undefined;
      if (!found) return;
      const counts = of(found.topic);
      counts.delivered.inc();
      if (found.stored) counts.replayed.inc();
      if (found.at !== null) counts.latency.observe(Math.max(0, Date.now() - found.at) / 1000);
    },
  };
}
