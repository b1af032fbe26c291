import { createLiveNotice, readLiveNotice } from '@walletgraph/events';
import type { AddressedNotice, Publisher } from '../../src/pubsub.ts';

/**
 * A publisher that keeps what it is asked to publish instead of sending it, checked against the
 * live-notice catalog as the real one checks it (a bad notice rejects), and kept as the gateway
 * would read it: the fields the catalog knows, without the version.
 */
export function recordingPublisher(): { publisher: Publisher; published: AddressedNotice[] } {
  const published: AddressedNotice[] = [];
  const publisher: Publisher = {
    async publish(userId, topic, notice) {
      const fields = readLiveNotice(topic, createLiveNotice(topic, notice))!;
      published.push({ userId, topic, notice: fields } as AddressedNotice);
    },
  };
  return { publisher, published };
}
