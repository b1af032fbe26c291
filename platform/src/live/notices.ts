import {
  type AddressedLiveNotice,
  createEvent,
  createLiveNotice,
  type Event,
  type EventMeta,
  type LiveNotice,
  type LiveTopic,
  uuidv7,
} from '@walletgraph/events';
import type { Executor } from '../db/database.ts';
import { enqueue } from '../outbox/enqueue.ts';

/** A live notice addressed to one user, as a subgraph decides it; its topic decides what it holds. */
export type AddressedNotice = {
  [T in LiveTopic]: { userId: string; topic: T; notice: LiveNotice<T> };
}[LiveTopic];

/**
 * The `live.notices.v1` event of notices (null for none), each checked against its topic's
 * contract and stamped with its version: throws InvalidLiveNoticeError for one that breaks it,
 * before anything is written.
 */
export function liveNoticesEvent(
  notices: readonly AddressedNotice[],
  meta: EventMeta,
): Event<'live.notices.v1'> | null {
  if (notices.length === 0) return null;
  const stamped = notices.map(
    ({ userId, topic, notice }) =>
      ({ userId, topic, notice: createLiveNotice(topic, notice as never) }) as AddressedLiveNotice,
  );
  return createEvent('live.notices.v1', { aggregateId: uuidv7(), data: { notices: stamped } }, meta);
}

/**
 * Writes live notices to the outbox inside the transaction of the change they announce: they
 * reach the users' live feed (identity's `identity.live-feed`) if and only if it commits
 * (docs/architecture.md §8). Nothing for none.
 */
export async function enqueueNotices(
  tx: Executor,
  notices: readonly AddressedNotice[],
  meta: EventMeta,
): Promise<void> {
  const event = liveNoticesEvent(notices, meta);
  if (event) await enqueue(tx, event);
}
