import { randomUUID } from 'node:crypto';
import { liveNoticesEvent } from '@walletgraph/platform/live/notices';
import type { AmqpBroker } from '@walletgraph/platform/messaging/amqp-broker';
import { eventMessage } from '@walletgraph/platform/messaging/broker';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import { createLiveClient } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { brokerBeside, startIdentity, type TestIdentity } from '../support/identity.ts';
import { delivered, untilListening, userIdOf, watch } from '../support/live.ts';
import { register } from '../support/money.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * Every live event re-runs its subscription's selection, so each one delivered costs that
 * selection's query cost in its user's budget (SUBSCRIPTION_COST_PER_USER, refilled per
 * RATE_LIMIT_WINDOW_MS, in Redis). Here the budget is 5 a minute and `goalAchieved {
 * achievedAt }` costs 2: two events fit, the third ends the subscription with RATE_LIMITED.
 * Goals are announced as the jars subgraph announces them: a `live.notices.v1` event on identity's
 * exchange, which identity stores in the user's feed and publishes on their channel.
 */

let identity: TestIdentity;
let gateway: BareGateway;
let redis: TestRedis;
let broker: AmqpBroker;

beforeAll(async () => {
  identity = await startIdentity();
  redis = await openTestRedis('live-budget');
  broker = await brokerBeside(identity, 'live-budget');
  gateway = await startBareGateway({
    IDENTITY_URL: identity.url,
    JWKS_URL: identity.jwksUrl,
    // Real mode: live updates and the budget in Redis.
    DATABASE_URL: testServices.postgres,
    AMQP_URL: testServices.amqp,
    REDIS_URL: testServices.redis,
    EVENTS_EXCHANGE: identity.exchange,
    SUBSCRIPTION_COST_PER_USER: '5',
  });
}, 120_000);

afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
  await broker?.close();
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

const goal = { query: 'subscription { goalAchieved { achievedAt } }' };

async function publishGoal(userId: string, achievedAt: string): Promise<void> {
  const jarId = '00000000-0000-7000-8000-000000000001';
  const event = liveNoticesEvent([{ userId, topic: 'goalAchieved', notice: { jarId, achievedAt } }], {
    correlationId: randomUUID(),
  });
  await broker.publish([eventMessage(event!)]);
}

describe("a user's live-event budget", () => {
  it('charges each delivered event its query cost and ends the subscription, with RATE_LIMITED, once spent', async () => {
    const { accessToken } = await register(gateway.url, 'budget');
    const userId = userIdOf(accessToken);
    const live = createLiveClient({ url: gateway.url, token: accessToken, options: { retryAttempts: 0 } });
    try {
      const goals = watch<{ goalAchieved: { achievedAt: string } | null }>(live.ws, goal);
      await untilListening(redis.redis, userId);
      for (const at of ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z']) {
        await publishGoal(userId, at);
      }
      expect(await goals.ended).toEqual({ kind: 'complete' });
      expect(goals.events).toEqual([
        delivered({ goalAchieved: { achievedAt: '2026-01-01T00:00:00.000Z' } }),
        delivered({ goalAchieved: { achievedAt: '2026-01-02T00:00:00.000Z' } }),
        {
          data: null,
          errors: [
            expect.objectContaining({
              message: expect.stringMatching(/^Live-update budget spent/),
              extensions: { code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) },
            }),
          ],
        },
      ]);
      const retryAfter = goals.events[2]!.errors![0]!.extensions!.retryAfterSeconds as number;
      // One unit short, refilled at 5 a minute: 12 s (give or take the time the test took).
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(12);

      // The budget is the user's, not the subscription's: a new one is refused at its first event.
      const again = watch<{ goalAchieved: { achievedAt: string } | null }>(live.ws, goal);
      // Published until one arrives: the gateway may still be leaving and re-joining the channel.
      await waitFor('the new subscription to end', async () => {
        await publishGoal(userId, '2026-01-04T00:00:00.000Z');
        return again.ending;
      });
      expect(again.ending).toEqual({ kind: 'complete' });
      expect(again.events.map((e) => e.errors?.[0]?.extensions?.code)).toEqual(['RATE_LIMITED']);
    } finally {
      await live.dispose();
    }
  });
});
