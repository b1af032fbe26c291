import { z } from 'zod';
import { currency, id, minorUnits } from './catalog/fields.ts';

/**
 * One topic's notice: its version, its fields, and the field naming the object it is about
 * (null when it is about no object a client subscribes to by id).
 */
interface LiveNoticeSpec<S extends z.ZodObject> {
  version: number;
  data: S;
  objectId: (keyof z.infer<S> & string) | null;
}

const spec = <S extends z.ZodObject>(notice: LiveNoticeSpec<S>) => notice;

/**
 * Every live notice a subgraph publishes to a user's channel after a change commits
 * (docs/architecture.md §8), by topic: the Subscription field of contracts/api.graphql it feeds.
 * Notices are small and say what changed, not the new state: the gateway re-reads the object
 * named by `objectId` as the subscriber, matches a subscription's id argument against it and
 * coalesces a slow client's queue by it.
 *
 * On the wire a notice is its fields beside its version, `{ v: 1, ...fields }`: flat, because
 * the channel already says the topic, so the version is all a reader needs before the fields. A
 * breaking change to a topic's fields is a new version; the gateway drops notices of a version
 * it does not know (notices are at most once anyway), so deploy the gateway first.
 */
export const liveNotices = {
  balanceChanged: spec({
    version: 1,
    objectId: 'walletId',
    data: z.object({
      walletId: id,
      entryId: id,
      /** The operation the entry settles; null for one no operation made (a jar's archive sweep). */
      operationId: id.nullable(),
      /** How much the wallet's total changed (zero for a move between its own accounts). */
      delta: minorUnits,
      currency,
    }),
  }),
  operationUpdated: spec({ version: 1, objectId: 'id', data: z.object({ id }) }),
  jarUpdated: spec({ version: 1, objectId: 'jarId', data: z.object({ jarId: id }) }),
  goalAchieved: spec({
    version: 1,
    objectId: null,
    data: z.object({ jarId: id, achievedAt: z.iso.datetime({ offset: true }) }),
  }),
  budgetAlert: spec({
    version: 1,
    objectId: null,
    data: z.object({
      jarId: id,
      thresholdPercent: z.number().int().min(1).max(1000),
      spent: minorUnits,
      limit: minorUnits,
      currency,
    }),
  }),
} as const;

export type LiveTopic = keyof typeof liveNotices;
/** A notice's fields, as a publisher gives them and a reader gets them back. */
export type LiveNotice<T extends LiveTopic = LiveTopic> = z.infer<(typeof liveNotices)[T]['data']>;
/** A notice as it travels on its channel: its fields and its version. */
export type LiveNoticeMessage<T extends LiveTopic = LiveTopic> = { v: number } & LiveNotice<T>;

export const liveTopics = Object.keys(liveNotices) as LiveTopic[];

/** Thrown when a publisher builds a notice that breaks its topic's contract: a bug in the publisher. */
export class InvalidLiveNoticeError extends Error {
  /** The schema's issues, naming the offending fields. */
  readonly issues: unknown;
  constructor(message: string, issues: unknown) {
    super(message);
    this.name = 'InvalidLiveNoticeError';
    this.issues = issues;
  }
}

/** Validates a notice's fields and stamps its topic's version; throws InvalidLiveNoticeError. */
export function createLiveNotice<T extends LiveTopic>(topic: T, notice: LiveNotice<T>): LiveNoticeMessage<T> {
  const { version, data } = liveNotices[topic];
  const parsed = data.safeParse(notice);
  if (!parsed.success) throw new InvalidLiveNoticeError(`invalid ${topic} notice`, parsed.error.issues);
  return { v: version, ...(parsed.data as LiveNotice<T>) };
}

/**
 * A notice's fields read off its topic's channel, or null when the message is not a notice of
 * this topic's version: the reader drops it rather than fail (a publisher's bug or a version
 * it does not know yet must not end anyone's subscription).
 */
export function readLiveNotice<T extends LiveTopic>(topic: T, message: unknown): LiveNotice<T> | null {
  const { version, data } = liveNotices[topic];
  if (typeof message !== 'object' || message === null || (message as { v?: unknown }).v !== version) {
    return null;
  }
  const parsed = data.safeParse(message);
  return parsed.success ? (parsed.data as LiveNotice<T>) : null;
}

/** The id of the object a notice is about (`objectId`), or null for a topic without one. */
export function liveNoticeObjectId<T extends LiveTopic>(topic: T, notice: LiveNotice<T>): string | null {
  const field = liveNotices[topic].objectId;
  return field === null ? null : ((notice as Record<string, unknown>)[field] as string);
}
