import type { Logger } from '@walletgraph/platform/logger';
import { type LiveNotice, type LiveTopic, readLiveNotice } from '@walletgraph/platform/pubsub';

/** Reads a message off a topic's channel as that topic's notice, or null to drop it. */
export type ReadNotice = <T extends LiveTopic>(topic: T, message: unknown) => LiveNotice<T> | null;

/**
 * Reads channel messages against the live-notice catalog (contracts/events live-notices.ts). A
 * message that is no notice of its topic's version (a publisher's bug, a version this gateway
 * does not know yet) is logged and dropped: the subscriptions it reached go on with the next one.
 *
 * A message reaches every subscription on its channel as one object, so each is read once and
 * every subscription gets the same notice object back: lookups are shared by notice (lookup.ts),
 * and a bad one is logged once.
 */
export function createNoticeReader(logger: Logger): ReadNotice {
  const read = new WeakMap<object, LiveNotice | null>();
  const drop = (topic: LiveTopic, message: unknown) => {
    const fields = typeof message === 'object' && message !== null ? Object.keys(message) : typeof message;
    logger.warn({ topic, fields }, 'dropped a live notice that breaks its topic’s contract');
    return null;
  };
  return <T extends LiveTopic>(topic: T, message: unknown): LiveNotice<T> | null => {
    if (typeof message !== 'object' || message === null) return drop(topic, message);
    if (read.has(message)) return read.get(message) as LiveNotice<T> | null;
    const notice = readLiveNotice(topic, message);
    read.set(message, notice);
    return notice ?? drop(topic, message);
  };
}
