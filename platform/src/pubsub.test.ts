import { randomBytes } from 'node:crypto';
import { InvalidLiveNoticeError } from '@walletgraph/events';
import { afterAll, describe, expect, it } from 'vitest';
import { testLogger, waitFor } from '../test/support/infra.ts';
import { testServices } from '../test/support/services.ts';
import { createPubSub, type PubSubHandle, userChannel } from './pubsub.ts';

const logger = testLogger('pubsub');
const opened: PubSubHandle[] = [];

afterAll(async () => {
  for (const pubsub of opened) await pubsub.close();
});

const modes = [
  { mode: 'embedded', open: () => createPubSub({ logger }) },
  { mode: 'Redis', open: () => createPubSub({ redisUrl: testServices.redis, logger }) },
];

const operation = '0196f0a0-0000-7000-8000-000000000003';

describe.each(modes)('publishing a live notice ($mode)', ({ open }) => {
  it('sends it with its version; a notice that breaks its contract is refused and nothing is sent', async () => {
    const pubsub = open();
    opened.push(pubsub);
    const userId = `user-${randomBytes(4).toString('hex')}`;
    const received: unknown[] = [];
    await pubsub.engine.subscribe(
      userChannel(userId, 'operationUpdated'),
      (m: unknown) => received.push(m),
      {},
    );

    await expect(
      pubsub.publisher.publish(userId, 'operationUpdated', { id: 'not-an-id' }),
    ).rejects.toBeInstanceOf(InvalidLiveNoticeError);
    await expect(
      // A topic's fields are checked at compile time too: this one is only wrong at run time.
      pubsub.publisher.publish(userId, 'operationUpdated', { id: 42 } as never),
    ).rejects.toThrow('invalid operationUpdated notice');
    await pubsub.publisher.publish(userId, 'operationUpdated', { id: operation });

    await waitFor('the valid notice', async () => (received.length > 0 ? true : undefined));
    expect(received).toEqual([{ v: 1, id: operation }]);
  });
});
