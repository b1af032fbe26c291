import { randomUUID } from 'node:crypto';
import { type AddressedLiveNotice, createEvent, type Event, type LiveTopic } from '@walletgraph/events';
import type { Viewer } from '@walletgraph/platform/auth/verifier';
import type { FeedEntry, FeedFilter } from '@walletgraph/platform/live/feed';
import { createLogger } from '@walletgraph/platform/logger';
import type { FeedPublisher } from '@walletgraph/platform/pubsub';
import { createHarness, messageOf } from '@walletgraph/platform/test/support/brokers';
import { startTestConsumer } from '@walletgraph/platform/test/support/consumers';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { liveFeed, liveFeedHeads } from '../db/schema.ts';
import { appendToFeed, FeedPositionGone, pruneFeed, readFeed } from '../live-feed.ts';
import { createLiveFeedService, liveFeedConsumer } from '../live-feed-service.ts';
import { FakeResponse, type Handler, mountedRoutes } from './routes.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();
const db = () => h.db.db;

const operation = (userId: string, id = randomUUID()): AddressedLiveNotice => ({
  userId,
  topic: 'operationUpdated',
  notice: { v: 1, id },
});
const jar = (userId: string, jarId = randomUUID()): AddressedLiveNotice => ({
  userId,
  topic: 'jarUpdated',
  notice: { v: 1, jarId },
});
const only = (topic: LiveTopic, objectId: string | null = null): FeedFilter => ({ topic, objectId });

/** A user's stored entries, by position: [seq, the notice's object]. */
async function stored(userId: string): Promise<[bigint, unknown][]> {
  const rows = await db()
    .select({ seq: liveFeed.seq, notice: liveFeed.notice })
    .from(liveFeed)
    .where(eq(liveFeed.userId, userId))
    .orderBy(asc(liveFeed.seq));
  return rows.map((r) => [r.seq, r.notice]);
}

async function head(userId: string) {
  const [row] = await db().select().from(liveFeedHeads).where(eq(liveFeedHeads.userId, userId));
  return row ? { last: row.lastSeq, prunedThrough: row.prunedThrough } : null;
}

const append = (notices: AddressedLiveNotice[]) => db().transaction((tx) => appendToFeed(tx, notices));
const positions = (entries: FeedEntry[], userId: string) =>
  entries.filter((e) => e.userId === userId).map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => BigInt(from + i));

describe('appending to the live feed (real Postgres)', () => {
  it('numbers each user’s entries 1, 2, 3, … in the order given, across batches of several users', async () => {
    const [ada, bob, cy] = [randomUUID(), randomUUID(), randomUUID()];
    const first = [operation(ada), operation(bob), jar(ada), operation(ada), jar(bob)];
    const second = [jar(cy), operation(bob), operation(ada), operation(cy)];

    const one = await append(first);
    const two = await append(second);
    const three = await append([operation(ada)]);

    expect(one.map((e) => [e.userId, e.seq])).toEqual([
      [ada, 1n],
      [bob, 1n],
      [ada, 2n],
      [ada, 3n],
      [bob, 2n],
    ]);
    expect(two.map((e) => [e.userId, e.seq])).toEqual([
      [cy, 1n],
      [bob, 3n],
      [ada, 4n],
      [cy, 2n],
    ]);
    expect(three.map((e) => [e.userId, e.seq])).toEqual([[ada, 5n]]);
    // Each entry is stored at the position it was given, with its notice as written.
    for (const [userId, entries] of [
      [ada, [...one, ...two, ...three]],
      [bob, [...one, ...two]],
      [cy, two],
    ] as const) {
      const mine = entries.filter((e) => e.userId === userId);
      expect(await stored(userId)).toEqual(mine.map((e) => [e.seq, e.notice]));
    }
    expect(await head(ada)).toEqual({ last: 5n, prunedThrough: 0n });
    expect(await append([])).toEqual([]);
  });

  it('gives two transactions appending for one user at once distinct consecutive positions, the second waiting for the first to commit', async () => {
    const user = randomUUID();
    let appended!: () => void;
    const firstAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    let commit!: () => void;
    const committing = new Promise<void>((resolve) => {
      commit = resolve;
    });
    const first = db().transaction(async (tx) => {
      const entries = await appendToFeed(tx, [operation(user), operation(user), operation(user)]);
      appended();
      await committing;
      return entries;
    });
    await firstAppended;
    let secondDone = false;
    const second = append([operation(user), operation(user)]).finally(() => {
      secondDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The user's head stays locked until the first commits.
    expect(secondDone).toBe(false);
    commit();

    const [a, b] = await Promise.all([first, second]);
    expect(positions(a, user)).toEqual([1n, 2n, 3n]);
    expect(positions(b, user)).toEqual([4n, 5n]);
    expect((await stored(user)).map(([seq]) => seq)).toEqual(range(1, 5));
  });

  it('leaves no hole and no duplicate when many transactions append for the same users in different orders at once', async () => {
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const rounds = 12;
    const batches = Array.from({ length: rounds }, (_, i) => {
      const order = i % 2 === 0 ? users : [...users].reverse();
      return order.flatMap((u) => [operation(u), jar(u)]);
    });

    const results = await Promise.all(batches.map((batch) => append(batch)));

    for (const user of users) {
      expect((await stored(user)).map(([seq]) => seq)).toEqual(range(1, rounds * 2));
      // Each batch got two consecutive positions for the user, in the order it gave them.
      const got = results.map((entries) => positions(entries, user));
      for (const pair of got) expect(pair[1]).toBe(pair[0]! + 1n);
      expect(
        got
          .flat()
          .sort((x, y) => (x < y ? -1 : 1))
          .map(String),
      ).toEqual(range(1, rounds * 2).map(String));
      expect(await head(user)).toEqual({ last: BigInt(rounds * 2), prunedThrough: 0n });
    }
  });
});

describe('reading the live feed', () => {
  it('filters by topic and by object, after a position, with `through` at the head when the page is not full', async () => {
    const user = randomUUID();
    const target = randomUUID();
    const entries = await append([
      operation(user, target),
      jar(user),
      operation(user),
      operation(user, target),
      jar(user),
    ]);
    const message = (e: FeedEntry) => ({ seq: e.seq.toString(), topic: e.topic, notice: e.notice });

    expect(await readFeed(db(), user, 0n, only('operationUpdated'), 100)).toEqual({
      entries: [entries[0]!, entries[2]!, entries[3]!].map(message),
      through: '5',
    });
    expect(await readFeed(db(), user, 0n, only('operationUpdated', target), 100)).toEqual({
      entries: [entries[0]!, entries[3]!].map(message),
      through: '5',
    });
    expect(await readFeed(db(), user, 1n, only('operationUpdated', target), 100)).toEqual({
      entries: [message(entries[3]!)],
      through: '5',
    });
    expect(await readFeed(db(), user, 4n, only('operationUpdated'), 100)).toEqual({
      entries: [],
      through: '5',
    });
    expect(await readFeed(db(), user, 0n, only('jarUpdated'), 100)).toEqual({
      entries: [entries[1]!, entries[4]!].map(message),
      through: '5',
    });
    expect(await readFeed(db(), user, 5n, only('jarUpdated'), 100)).toEqual({ entries: [], through: '5' });
    // Another user's entries are never theirs.
    expect(await readFeed(db(), randomUUID(), 0n, only('operationUpdated'), 100)).toEqual({
      entries: [],
      through: '0',
    });
  });

  it('pages with `limit`: a full page ends `through` at its last entry, and the next page goes on from there', async () => {
    const user = randomUUID();
    const entries = await append([
      operation(user),
      jar(user),
      operation(user),
      operation(user),
      jar(user),
      jar(user),
      operation(user),
      jar(user),
    ]);
    const seqs = (page: { entries: { seq: string }[] }) => page.entries.map((e) => e.seq);

    const p1 = await readFeed(db(), user, 0n, only('operationUpdated'), 2);
    expect([seqs(p1), p1.through]).toEqual([['1', '3'], '3']);
    const p2 = await readFeed(db(), user, BigInt(p1.through), only('operationUpdated'), 2);
    expect([seqs(p2), p2.through]).toEqual([['4', '7'], '7']);
    const p3 = await readFeed(db(), user, BigInt(p2.through), only('operationUpdated'), 2);
    expect([seqs(p3), p3.through]).toEqual([[], '8']);
    expect(entries).toHaveLength(8);
  });

  it('with no `after` answers no entries and where the feed stands', async () => {
    const user = randomUUID();
    expect(await readFeed(db(), user, null, only('operationUpdated'), 100)).toEqual({
      entries: [],
      through: '0',
    });
    await append([operation(user), jar(user), operation(user)]);
    expect(await readFeed(db(), user, null, only('operationUpdated'), 100)).toEqual({
      entries: [],
      through: '3',
    });
  });

  it('refuses a position past the head as gone (a feed lost with its database)', async () => {
    const user = randomUUID();
    await expect(readFeed(db(), user, 1n, only('operationUpdated'), 100)).rejects.toBeInstanceOf(
      FeedPositionGone,
    );
    await append([operation(user), operation(user)]);
    await expect(readFeed(db(), user, 3n, only('operationUpdated'), 100)).rejects.toBeInstanceOf(
      FeedPositionGone,
    );
    expect((await readFeed(db(), user, 2n, only('operationUpdated'), 100)).entries).toEqual([]);
  });
});

describe('pruning the live feed', () => {
  const anHourAgo = () => new Date(Date.now() - 3_600_000);

  it('by age: deletes entries older than the cut, records how far, and refuses positions before it', async () => {
    const user = randomUUID();
    const bystander = randomUUID();
    await append([operation(user), operation(user), operation(user), operation(user), operation(bystander)]);
    await db()
      .update(liveFeed)
      .set({ at: sql`now() - interval '2 days'` })
      .where(and(eq(liveFeed.userId, user), inArray(liveFeed.seq, [1n, 2n])));

    expect(await pruneFeed(db(), new Date(Date.now() - 24 * 3_600_000), 1_000_000)).toBe(2);

    expect((await stored(user)).map(([seq]) => seq)).toEqual([3n, 4n]);
    expect(await head(user)).toEqual({ last: 4n, prunedThrough: 2n });
    expect((await stored(bystander)).map(([seq]) => seq)).toEqual([1n]);
    expect(await head(bystander)).toEqual({ last: 1n, prunedThrough: 0n });
    for (const after of [0n, 1n]) {
      await expect(readFeed(db(), user, after, only('operationUpdated'), 100)).rejects.toBeInstanceOf(
        FeedPositionGone,
      );
    }
    expect((await readFeed(db(), user, 2n, only('operationUpdated'), 100)).entries.map((e) => e.seq)).toEqual(
      ['3', '4'],
    );
    expect((await readFeed(db(), user, 3n, only('operationUpdated'), 100)).entries.map((e) => e.seq)).toEqual(
      ['4'],
    );
    // Again: nothing more to delete, and how far stays.
    expect(await pruneFeed(db(), new Date(Date.now() - 24 * 3_600_000), 1_000_000)).toBe(0);
    expect(await head(user)).toEqual({ last: 4n, prunedThrough: 2n });
  });

  it('by count: keeps each user’s newest `keep`, records how far, and refuses positions before it', async () => {
    const user = randomUUID();
    const few = randomUUID();
    await append([...Array.from({ length: 6 }, () => operation(user)), operation(few), operation(few)]);
    // Every feed of this database is cut to its newest 3 (earlier tests' users too): count only ours.
    await pruneFeed(db(), anHourAgo(), 3);

    expect((await stored(user)).map(([seq]) => seq)).toEqual([4n, 5n, 6n]);
    expect(await head(user)).toEqual({ last: 6n, prunedThrough: 3n });
    expect((await stored(few)).map(([seq]) => seq)).toEqual([1n, 2n]);
    expect(await head(few)).toEqual({ last: 2n, prunedThrough: 0n });
    await expect(readFeed(db(), user, 2n, only('operationUpdated'), 100)).rejects.toBeInstanceOf(
      FeedPositionGone,
    );
    expect((await readFeed(db(), user, 3n, only('operationUpdated'), 100)).entries.map((e) => e.seq)).toEqual(
      ['4', '5', '6'],
    );
    expect((await readFeed(db(), user, 5n, only('operationUpdated'), 100)).entries.map((e) => e.seq)).toEqual(
      ['6'],
    );
    await expect(readFeed(db(), user, 7n, only('operationUpdated'), 100)).rejects.toBeInstanceOf(
      FeedPositionGone,
    );

    // Appends go on after the head, whatever was pruned.
    expect(positions(await append([operation(user)]), user)).toEqual([7n]);
    expect(await pruneFeed(db(), anHourAgo(), 3)).toBeGreaterThanOrEqual(1);
    expect(await head(user)).toEqual({ last: 7n, prunedThrough: 4n });
  });
});

describe('the identity.live-feed consumer', () => {
  const brokers = useForSuite(() => createHarness('in-process'));

  const noticesEvent = (notices: AddressedLiveNotice[]): Event<'live.notices.v1'> =>
    createEvent(
      'live.notices.v1',
      { aggregateId: randomUUID(), data: { notices } },
      { correlationId: randomUUID() },
    );

  it('appends each event’s notices once, however often it is delivered, and publishes what it stored after commit', async () => {
    const definition = liveFeedConsumer(h.services.liveFeed);
    await using _consumer = await startTestConsumer(brokers, 'live-feed', {
      db: h.db,
      batchHandlers: definition.batchHandlers!,
      batch: definition.batch!,
      retryDelaysMs: [50],
    });
    const [ada, bob] = [randomUUID(), randomUUID()];
    const first = noticesEvent([operation(ada), jar(bob), operation(ada)]);
    const second = noticesEvent([jar(ada)]);
    await brokers.broker.publish([first, first, second].map(messageOf));

    const mine = () => h.published.filter((e) => e.userId === ada || e.userId === bob);
    await waitFor('the entries published', () => mine().length >= 4);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(mine().map((e) => [e.userId, e.seq, e.notice])).toEqual([
      [ada, 1n, first.data.notices[0]!.notice],
      [bob, 1n, first.data.notices[1]!.notice],
      [ada, 2n, first.data.notices[2]!.notice],
      [ada, 3n, second.data.notices[0]!.notice],
    ]);
    expect((await stored(ada)).map(([seq]) => seq)).toEqual([1n, 2n, 3n]);
    // Recorded as published, so the republish round leaves them.
    await waitFor('the entries marked published', async () => {
      const rows = await db()
        .select({ seq: liveFeed.seq })
        .from(liveFeed)
        .where(and(inArray(liveFeed.userId, [ada, bob]), isNull(liveFeed.publishedAt)));
      return rows.length === 0;
    });
  });
});

describe('republishing the live feed', () => {
  it('publishes again, and marks, entries Redis refused, once it takes them again', async () => {
    const taken: FeedEntry[] = [];
    let down = true;
    let refused = 0;
    const publisher: FeedPublisher = {
      async publish(entries) {
        if (down) {
          refused++;
          throw new Error('Connection is closed.');
        }
        taken.push(...entries);
      },
    };
    const feed = createLiveFeedService({
      db: db(),
      publisher,
      logger: createLogger('live-feed-test', 'silent'),
      retention: { hours: 24, events: 10_000 },
      pruneIntervalMs: 60_000,
      republishAfterMs: 20,
      now: () => new Date(),
    });
    try {
      const user = randomUUID();
      const entries = await append([operation(user), jar(user)]);
      await feed.publish(entries);
      await waitFor('a republish round refused too', () => refused >= 2);
      down = false;
      await waitFor('the entries republished', () => taken.filter((e) => e.userId === user).length >= 2);
      expect(taken.filter((e) => e.userId === user).map((e) => e.seq)).toEqual([1n, 2n]);
      await waitFor('the entries marked published', async () => {
        const rows = await db()
          .select({ seq: liveFeed.seq })
          .from(liveFeed)
          .where(and(eq(liveFeed.userId, user), isNull(liveFeed.publishedAt)));
        return rows.length === 0;
      });
    } finally {
      feed.stop();
    }
  });
});

describe('GET /live-feed', () => {
  /** The route, with a verifier that knows `token-<userId>`. */
  function route(): Handler {
    const viewerOf = async (req: { headers: Record<string, string> }): Promise<Viewer | null> => {
      const header = req.headers.authorization;
      if (!header) return null;
      const token = header.replace(/^Bearer /, '');
      if (!token.startsWith('token-')) throw new Error('invalid token');
      return {
        userId: token.slice(6),
        token,
        expiresAt: new Date(Date.now() + 60_000),
        issuedAt: new Date(),
      };
    };
    return mountedRoutes(h.services, viewerOf).get('/live-feed')!;
  }

  async function get(query: Record<string, string>, userId?: string) {
    const res = new FakeResponse();
    await route()({ query, headers: userId ? { authorization: `Bearer token-${userId}` } : {} }, res);
    return res;
  }

  it('answers the caller’s own page, uncached', async () => {
    const user = randomUUID();
    const target = randomUUID();
    const entries = await append([
      operation(user),
      operation(user, target),
      jar(user),
      operation(randomUUID()),
    ]);

    const res = await get({ after: '0', topic: 'operationUpdated', object: target }, user);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      entries: [{ seq: '2', topic: 'operationUpdated', notice: entries[1]!.notice }],
      through: '3',
    });
    expect((await get({ topic: 'operationUpdated' }, user)).body).toEqual({ entries: [], through: '3' });
    const page = await get({ after: '0', topic: 'operationUpdated', limit: '1' }, user);
    expect(page.body).toEqual({
      entries: [{ seq: '1', topic: 'operationUpdated', notice: entries[0]!.notice }],
      through: '1',
    });
  });

  it('401 without a valid token, 400 for a bad query, 410 CURSOR_EXPIRED for a pruned or unknown position', async () => {
    const user = randomUUID();
    expect((await get({ topic: 'operationUpdated' })).statusCode).toBe(401);
    const forged = new FakeResponse();
    await route()(
      { query: { topic: 'operationUpdated' }, headers: { authorization: 'Bearer forged' } },
      forged,
    );
    expect(forged.statusCode).toBe(401);
    const bad: Record<string, string>[] = [
      { topic: 'nope' },
      { topic: 'operationUpdated', after: '-1' },
      { topic: 'operationUpdated', object: 'not-an-id' },
      { topic: 'operationUpdated', limit: '0' },
      { topic: 'operationUpdated', limit: '501' },
    ];
    for (const query of bad) {
      const res = await get(query, user);
      expect([query, res.statusCode, (res.body as { error: { code: string } }).error.code]).toEqual([
        query,
        400,
        'BAD_USER_INPUT',
      ]);
    }
    const gone = await get({ topic: 'operationUpdated', after: '1' }, user);
    expect([gone.statusCode, gone.body]).toEqual([
      410,
      { error: expect.objectContaining({ code: 'CURSOR_EXPIRED' }) },
    ]);
  });
});
