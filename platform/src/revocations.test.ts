import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testLogger, waitFor } from '../test/support/infra.ts';
import { testServices } from '../test/support/services.ts';
import { createPubSub, type PubSubHandle } from './pubsub.ts';
import { createRevocations, type Revocations } from './revocations.ts';

const prefix = `wg_revocations_test_${randomBytes(4).toString('hex')}`;
const logger = testLogger('revocations');
const opened: { pubsub: PubSubHandle; revocations: Revocations }[] = [];

/** One process's view: its own Redis connections, as each gateway replica has. */
async function replica(tokenTtlSeconds = 900): Promise<Revocations> {
  const pubsub = createPubSub({ redisUrl: testServices.redis, logger });
  // Connected before it is used: the command connection queues nothing while it connects, so a
  // revoke right after start could otherwise fail on a busy machine.
  await waitFor('the replica’s Redis connection', () => pubsub.redis?.status === 'ready');
  const revocations = createRevocations({
    pubsub,
    prefix,
    tokenTtlSeconds,
    logger,
    syncEveryMs: 200,
  });
  opened.push({ pubsub, revocations });
  await revocations.start();
  return revocations;
}

afterAll(async () => {
  for (const { pubsub, revocations } of opened) {
    await revocations.close();
    await pubsub.close();
  }
});

const user = () => `user-${randomBytes(4).toString('hex')}`;

describe('session revocations through Redis', () => {
  it('reach every replica, and refuse only what was issued before', async () => {
    const [a, b] = await Promise.all([replica(), replica()]);
    const id = user();
    const at = new Date();
    const seen: Date[] = [];
    b.onRevoked((userId, notBefore) => {
      if (userId === id) seen.push(notBefore);
    });
    await a.revoke(id, at);
    expect(a.isRevoked(id, new Date(at.getTime() - 1))).toBe(true);
    await waitFor('replica b to learn of it', () =>
      b.isRevoked(id, new Date(at.getTime() - 1)) ? true : undefined,
    );
    expect(seen).toEqual([at]);
    // Issued at or after the revocation (the session a password change opens): still good.
    expect(b.isRevoked(id, at)).toBe(false);
    expect(b.isRevoked(user(), new Date(0))).toBe(false);
  });

  it('are read by a replica that starts later, and a late, earlier one never undoes a later one', async () => {
    const a = await replica();
    const id = user();
    const later = new Date();
    await a.revoke(id, later);
    await a.revoke(id, new Date(later.getTime() - 60_000));
    const c = await replica();
    expect(c.isRevoked(id, new Date(later.getTime() - 1))).toBe(true);
  });

  it('forget what is older than a token’s lifetime: every token issued before it has expired', async () => {
    const a = await replica(60);
    const id = user();
    await a.revoke(id, new Date(Date.now() - 120_000));
    const c = await replica(60);
    expect(c.isRevoked(id, new Date(0))).toBe(false);
  });
});
