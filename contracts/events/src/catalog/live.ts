import { z } from 'zod';
import { type LiveNoticeMessage, type LiveTopic, liveNotices, liveTopics } from '../live-notices.ts';
import { id } from './fields.ts';

/** A live notice addressed to one user, as `live.notices.v1` carries it: its fields and version. */
export type AddressedLiveNotice = {
  [T in LiveTopic]: { userId: string; topic: T; notice: LiveNoticeMessage<T> };
}[LiveTopic];

const addressedNotice = z.discriminatedUnion(
  'topic',
  liveTopics.map((topic: LiveTopic) =>
    z.object({
      userId: id,
      topic: z.literal(topic),
      notice: liveNotices[topic].data.extend({ v: z.literal(liveNotices[topic].version) }),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<AddressedLiveNotice>;

/** The live notices every subgraph writes to its outbox, for the users' live feed. */
export const liveEvents = {
  /**
   * Live notices (contracts/events live-notices.ts) for the users they concern, written to the
   * outbox in the transaction of the change they announce: they reach the live feed (identity's
   * `identity.live-feed` consumer) if and only if that change committed. One event per
   * transaction, however many notices it made (a ledger batch's balances), in the order they are
   * to reach each user.
   */
  'live.notices.v1': {
    aggregateType: 'LiveFeed',
    data: z.object({ notices: z.array(addressedNotice).min(1) }),
  },
} as const;
