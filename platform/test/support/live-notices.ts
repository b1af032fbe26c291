import { type Event, readLiveNotice } from '@walletgraph/events';
import type { AddressedNotice } from '../../src/live/notices.ts';

/**
 * The notices of `live.notices.v1` events, flattened in order and kept as the gateway reads
 * them: the fields their topic's contract knows, without the version. A notice its contract
 * does not read back fails the test.
 */
export function noticesOf(events: readonly Event<'live.notices.v1'>[]): AddressedNotice[] {
  return events.flatMap((event) =>
    event.data.notices.map(({ userId, topic, notice }) => {
      const fields = readLiveNotice(topic, notice);
      if (!fields) throw new Error(`a ${topic} notice its contract does not read: ${JSON.stringify(notice)}`);
      return { userId, topic, notice: fields } as AddressedNotice;
    }),
  );
}
