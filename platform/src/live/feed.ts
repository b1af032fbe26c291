import { createHash } from 'node:crypto';
import { type LiveNoticeMessage, type LiveTopic, liveTopics } from '@walletgraph/events';
import { DomainError } from '../errors.ts';

/**
 * A user's live feed (docs/architecture.md §8): every live notice a user can receive, numbered
 * in that user's own order (1, 2, 3, …, no holes) by identity's `identity.live-feed` consumer,
 * kept for a retention window, and published once stored.
 */

/** One notice in its user's feed. */
export interface FeedEntry {
  userId: string;
  /** Its position in the user's feed: one more than the entry before it. */
  seq: bigint;
  topic: LiveTopic;
  /** The notice as its publisher wrote it: its fields and its topic's version. */
  notice: LiveNoticeMessage;
  /** When it was stored, when the store says; its publication stands in for it otherwise. */
  at?: Date;
}

/** A feed entry as it travels on the user's channel and in a feed page: JSON, so `seq` is a string. */
export interface FeedEntryMessage {
  seq: string;
  topic: LiveTopic;
  notice: LiveNoticeMessage;
  /**
   * When the entry was stored (ISO 8601), for the gateway's event-to-delivery latency; absent
   * from pages of the store and from older publishers, whose entries are then not timed.
   */
  at?: string;
}

/** What a read of a user's feed narrows to: a topic and, for a subscription narrowed to one, an object. */
export interface FeedFilter {
  topic: LiveTopic;
  objectId: string | null;
}

/** A page of a user's feed, as identity's `GET /live-feed` answers it. */
export interface FeedPage {
  entries: FeedEntryMessage[];
  /**
   * Every entry up to this position was considered: the page holds those that matched, so a
   * reader that goes on from here misses nothing (the feed's head when the page is not full).
   */
  through: string;
}

/** The one Redis channel of a user's feed entries, chosen from the verified token only. */
export function feedChannel(userId: string): string {
  return `user:${userId}:feed`;
}

export function toFeedMessage(entry: FeedEntry): FeedEntryMessage {
  // Without `at` from the store, the publication stands in: right after the commit that stored
  // the entry, or later from identity's republish round (Redis was away), timed from then.
  const at = (entry.at ?? new Date()).toISOString();
  return { seq: entry.seq.toString(), topic: entry.topic, notice: entry.notice, at };
}

/** A channel message as a feed entry's position and topic, or null when it is none. */
export function readFeedMessage(message: unknown): FeedEntryMessage | null {
  if (typeof message !== 'object' || message === null) return null;
  const { seq, topic, notice, at } = message as Partial<FeedEntryMessage>;
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) return null;
  if (!liveTopics.includes(topic as LiveTopic) || typeof notice !== 'object' || notice === null) return null;
  return { seq, topic: topic as LiveTopic, notice, ...(typeof at === 'string' ? { at } : {}) };
}

/**
 * A position in `userId`'s feed as clients hold it (`extensions.cursor`): opaque, and tied to its
 * user by a short digest of their id, so another user's cursor is recognised as not theirs.
 */
export function feedCursor(userId: string, seq: bigint): string {
  return Buffer.from(`1.${userTag(userId)}.${seq}`, 'utf8').toString('base64url');
}

/**
 * The position a cursor names in `userId`'s feed; BAD_USER_INPUT when it is no cursor of theirs
 * (malformed, or another user's: which one is not said, so it reveals nothing).
 */
export function readFeedCursor(userId: string, cursor: string): bigint {
  const [version, tag, seq] = Buffer.from(cursor, 'base64url').toString('utf8').split('.');
  if (version !== '1' || tag !== userTag(userId) || !seq || !/^\d{1,19}$/.test(seq)) {
    throw new DomainError('BAD_USER_INPUT', 'after: not a cursor of your live feed', { field: 'after' });
  }
  return BigInt(seq);
}

/** The error for a cursor whose successors the feed no longer keeps (or never had). */
export function cursorExpired(): DomainError {
  return new DomainError(
    'CURSOR_EXPIRED',
    'after: the live feed no longer keeps events that far back; re-read your state and subscribe without a cursor',
    { field: 'after' },
  );
}

function userTag(userId: string): string {
  return createHash('sha256').update(userId).digest('base64url').slice(0, 8);
}
