import { type AddressedLiveNotice, liveNoticeObjectId } from '@walletgraph/events';
import type { Executor } from '@walletgraph/platform/db/database';
import { rowsOf } from '@walletgraph/platform/db/rows';
import type { FeedEntry, FeedEntryMessage, FeedFilter, FeedPage } from '@walletgraph/platform/live/feed';
import { type SQL, sql } from 'drizzle-orm';
import * as schema from './db/schema.ts';

const { liveFeed, liveFeedHeads } = schema;

/** Identity's database or a transaction on it: context.ts's IdentityExecutor, named here since context.ts depends on this module. */
type IdentityExecutor = Executor<typeof schema>;

/**
 * Each user's live feed (docs/architecture.md §8): the notices subgraphs wrote to their outboxes
 * with the changes they announce, numbered per user and kept for a retention window, so a
 * gateway can replay what a subscriber missed.
 */

/**
 * Appends notices to their users' feeds in the caller's transaction, in the order given, and
 * resolves them with their positions. Each user's `live_feed_heads` row is locked until commit
 * (taken in user order, so two batches never wait on each other in a circle): a user's entries
 * commit in the order they are numbered, and a reader that has seen position n has seen every
 * position before it.
 */
export async function appendToFeed(
  tx: IdentityExecutor,
  notices: readonly AddressedLiveNotice[],
): Promise<FeedEntry[]> {
  if (notices.length === 0) return [];
  const rows = notices.map(({ userId, topic, notice }) => ({
    user_id: userId,
    topic,
    object_id: liveNoticeObjectId(topic, notice as never),
    notice,
  }));
  const result = await tx.execute(sql`
    with input as (
      select e.user_id, e.topic, e.object_id, e.notice, e.n
      from rows from (jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
        as (user_id uuid, topic text, object_id uuid, notice jsonb))
        with ordinality as e(user_id, topic, object_id, notice, n)
    ),
    counts as (select user_id, count(*) as c from input group by user_id),
    heads as (
      insert into ${liveFeedHeads} (user_id, last_seq)
      select user_id, c from counts order by user_id
      on conflict (user_id) do update set last_seq = ${liveFeedHeads}.last_seq + excluded.last_seq
      returning user_id, last_seq
    ),
    inserted as (
      insert into ${liveFeed} (user_id, seq, topic, object_id, notice)
      select i.user_id, h.last_seq - c.c + row_number() over (partition by i.user_id order by i.n),
        i.topic, i.object_id, i.notice
      from input i join counts c using (user_id) join heads h using (user_id)
      returning 1
    )
    select h.user_id, h.last_seq::text as last_seq, c.c::int as count, (select count(*) from inserted) as written
    from heads h join counts c using (user_id)`);
  const next = new Map<string, bigint>();
  for (const head of rowsOf<{ user_id: string; last_seq: string; count: number }>(result)) {
    next.set(head.user_id, BigInt(head.last_seq) - BigInt(head.count) + 1n);
  }
  return notices.map(({ userId, topic, notice }) => {
    const seq = next.get(userId)!;
    next.set(userId, seq + 1n);
    return { userId, seq, topic, notice };
  });
}

/** Why a read cannot resume from a position: events after it were pruned, or it is past the head. */
export class FeedPositionGone extends Error {
  override name = 'FeedPositionGone';
}

/**
 * `userId`'s entries after position `after` that pass `filter`, oldest first, at most `limit`,
 * read in ONE statement (one snapshot: a prune between two reads could not hide entries).
 * With `after` null, no entries: the page says where the feed stands (`through`), to start from.
 * Throws FeedPositionGone when entries after `after` were pruned (or it names a position the feed
 * never reached: a feed lost with its database).
 */
export async function readFeed(
  db: IdentityExecutor,
  userId: string,
  after: bigint | null,
  filter: FeedFilter,
  limit: number,
): Promise<FeedPage> {
  const from = after ?? 0n;
  const take = after === null ? 0 : limit;
  const result = await db.execute(sql`
    select coalesce(h.last_seq, 0)::text as head, coalesce(h.pruned_through, 0)::text as pruned,
      coalesce((
        select json_agg(json_build_object('seq', f.seq::text, 'topic', f.topic, 'notice', f.notice) order by f.seq)
        from (
          select seq, topic, notice from ${liveFeed}
          where user_id = ${userId} and seq > ${from} and topic = ${filter.topic}
            and (${filter.objectId}::uuid is null or object_id = ${filter.objectId}::uuid)
          order by seq limit ${take}
        ) f
      ), '[]'::json) as entries
    from (select ${userId}::uuid as user_id) u left join ${liveFeedHeads} h using (user_id)`);
  const [row] = rowsOf<{ head: string; pruned: string; entries: FeedEntryMessage[] }>(result);
  const head = BigInt(row!.head);
  if (after !== null && (after < BigInt(row!.pruned) || after > head)) {
    throw new FeedPositionGone(`position ${after} of ${userId}'s feed is gone`);
  }
  const entries = row!.entries;
  const newest = BigInt(entries.at(-1)?.seq ?? 0);
  // A full page covers up to its newest entry; a page that is not, the whole feed as it stood.
  const full = take > 0 && entries.length === take;
  const through = after === null ? head : full || newest > head ? newest : head;
  return { entries, through: through.toString() };
}

/**
 * Deletes entries older than `olderThan` and past the newest `keep` of their user, and records
 * how far each feed was pruned. Idempotent, so every replica may run it. Resolves the entries deleted.
 * Two deletes, each on an index: by age on `at`, and by count on the key, for the users whose
 * head is more than `keep` past what was pruned (read off `live_feed_heads`, one row per user).
 * One delete with an OR of the two would read the whole table every round.
 */
export async function pruneFeed(db: IdentityExecutor, olderThan: Date, keep: number): Promise<number> {
  return db.transaction(async (tx) => {
    const byAge = await deleteRecordingReach(
      tx,
      sql`delete from ${liveFeed} where at < ${olderThan.toISOString()}::timestamptz returning user_id, seq`,
    );
    // Read first, then handed over as a list: planned on the estimate of `last_seq - keep >
    // pruned_through` (a third of all users), this delete would scan the table to find a few.
    const over = await tx.execute(sql`
      select user_id, (last_seq - ${keep})::text as upto from ${liveFeedHeads}
      where last_seq - ${keep} > pruned_through`);
    const users = rowsOf<{ user_id: string; upto: string }>(over);
    const byCount =
      users.length === 0
        ? 0
        : await deleteRecordingReach(
            tx,
            sql`delete from ${liveFeed} f
              using jsonb_to_recordset(${JSON.stringify(users)}::jsonb) as o(user_id uuid, upto bigint)
              where f.user_id = o.user_id and f.seq <= o.upto
              returning f.user_id, f.seq`,
          );
    return byAge + byCount;
  });
}

/** Runs `deletion` (returning `user_id, seq`), raises each user's `pruned_through` to the highest deleted, and resolves how many. */
async function deleteRecordingReach(tx: IdentityExecutor, deletion: SQL): Promise<number> {
  const result = await tx.execute(sql`
    with gone as (${deletion}),
    reach as (select user_id, max(seq) as through, count(*) as n from gone group by user_id),
    recorded as (
      update ${liveFeedHeads} h set pruned_through = greatest(h.pruned_through, r.through)
      from reach r where h.user_id = r.user_id
      returning 1
    )
    select coalesce(sum(n), 0)::int as deleted from reach`);
  return rowsOf<{ deleted: number }>(result)[0]?.deleted ?? 0;
}

/** Records that entries were published on their users' channels. */
export async function markPublished(db: IdentityExecutor, entries: readonly FeedEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const keys = entries.map((e) => ({ user_id: e.userId, seq: e.seq.toString() }));
  await db.execute(sql`
    update ${liveFeed} f set published_at = now()
    from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(user_id uuid, seq bigint)
    where f.user_id = k.user_id and f.seq = k.seq and f.published_at is null`);
}

/**
 * Entries stored before `storedBefore` and still not published (Redis refused them, or the
 * process stopped between commit and publish), oldest first per user, at most `limit`.
 */
export async function unpublished(
  db: IdentityExecutor,
  storedBefore: Date,
  limit: number,
): Promise<FeedEntry[]> {
  const result = await db.execute(sql`
    select user_id, seq::text as seq, topic, notice from ${liveFeed}
    where published_at is null and at < ${storedBefore.toISOString()}::timestamptz
    order by at, user_id, seq limit ${limit}`);
  return rowsOf<{ user_id: string; seq: string; topic: FeedEntry['topic']; notice: FeedEntry['notice'] }>(
    result,
  ).map((r) => ({ userId: r.user_id, seq: BigInt(r.seq), topic: r.topic, notice: r.notice }));
}
