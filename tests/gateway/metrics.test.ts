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
import { untilListening, userIdOf, watch } from '../support/live.ts';
import { register } from '../support/money.ts';
import { scrape } from '../support/prometheus.ts';
import { openTestRedis, type TestRedis } from '../support/redis.ts';

/**
 * The gateway's Prometheus metrics (docs/metrics.md), read as Prometheus reads them: from
 * `/metrics` on GATEWAY_METRICS_PORT, after real requests, refusals and live events through real
 * identity, RabbitMQ and Redis. Two gateways: one as deployed (metrics on their own port only),
 * one with METRICS_ON_PUBLIC_PORT and a request limit small enough to reach.
 */

let identity: TestIdentity;
let gateway: BareGateway;
let limited: BareGateway;
let redis: TestRedis;
let broker: AmqpBroker;

beforeAll(async () => {
  identity = await startIdentity();
  redis = await openTestRedis('gateway-metrics');
  broker = await brokerBeside(identity, 'gateway-metrics');
  const env = {
    IDENTITY_URL: identity.url,
    JWKS_URL: identity.jwksUrl,
    // Real mode: live updates and the rate-limit counters in Redis.
    DATABASE_URL: testServices.postgres,
    AMQP_URL: testServices.amqp,
    REDIS_URL: testServices.redis,
    EVENTS_EXCHANGE: identity.exchange,
  };
  [gateway, limited] = await Promise.all([
    startBareGateway(env),
    startBareGateway({ ...env, METRICS_ON_PUBLIC_PORT: 'true', RATE_LIMIT_PER_ADDRESS: '2' }),
  ]);
}, 120_000);

afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
  await limited?.[Symbol.asyncDispose]();
  await redis?.[Symbol.asyncDispose]();
  await broker?.close();
  await identity?.[Symbol.asyncDispose]();
}, 60_000);

function post(url: string, body: unknown) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

const publicMetrics = (g: BareGateway) => new URL('/metrics', g.url).toString();

describe("the gateway's metrics endpoint", () => {
  it('counts and times a named operation, served in Prometheus text on the metrics port', async () => {
    const series = { operation_type: 'query', operation: 'MetricsProbe' };
    const before = await scrape(gateway.http.metricsUrl);
    const res = await post(gateway.url, { query: 'query MetricsProbe { __typename }' });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });

    const after = await scrape(gateway.http.metricsUrl);
    expect(after.text).toContain('# TYPE walletgraph_gateway_requests_total counter');
    expect(after.text).toContain(
      'walletgraph_gateway_requests_total{operation_type="query",operation="MetricsProbe",outcome="ok"}',
    );
    const requests = (s: typeof after) =>
      s.value('walletgraph_gateway_requests_total', { ...series, outcome: 'ok' });
    expect(requests(after) - requests(before)).toBe(1);
    const timed = (s: typeof after) => s.value('walletgraph_gateway_request_duration_seconds_count', series);
    expect(timed(after) - timed(before)).toBe(1);
    // The process's own metrics come with them.
    expect(after.text).toContain('process_cpu_seconds_total');
  });

  it("counts a request's outcome as the first error's code", async () => {
    const series = { operation_type: 'query', operation: 'Misspelt', outcome: 'GRAPHQL_VALIDATION_FAILED' };
    const before = await scrape(gateway.http.metricsUrl);
    const res = await post(gateway.url, { query: 'query Misspelt { noSuchField }' });
    expect(res.status).toBe(400);
    const after = await scrape(gateway.http.metricsUrl);
    expect(
      after.value('walletgraph_gateway_requests_total', series) -
        before.value('walletgraph_gateway_requests_total', series),
    ).toBe(1);
  });

  it('times subgraph fetches by subgraph', async () => {
    const series = { subgraph: 'identity', outcome: 'ok' };
    const before = await scrape(gateway.http.metricsUrl);
    await register(gateway.url, 'fetch-timing');
    const after = await scrape(gateway.http.metricsUrl);
    const fetches = (s: typeof after) =>
      s.value('walletgraph_gateway_subgraph_fetch_duration_seconds_count', series);
    expect(fetches(after) - fetches(before)).toBeGreaterThanOrEqual(1);
  });

  it('answers nothing but /metrics on the metrics port', async () => {
    expect((await fetch(new URL('/graphql', gateway.http.metricsUrl))).status).toBe(404);
    expect((await fetch(new URL('/readyz', gateway.http.metricsUrl))).status).toBe(404);
  });

  it('answers 404 for /metrics on the public port', async () => {
    const res = await fetch(publicMetrics(gateway));
    expect(res.status).toBe(404);
  });

  it('serves /metrics on the public port too with METRICS_ON_PUBLIC_PORT', async () => {
    const served = await scrape(publicMetrics(limited));
    expect(served.text).toContain('# TYPE walletgraph_gateway_rate_limited_total counter');
  });
});

describe('the rate-limit refusals', () => {
  it('counts a request refused over the per-address limit under scope address', async () => {
    const before = await scrape(limited.http.metricsUrl);
    const query = { query: '{ __typename }' };
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(limited.url, query)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const after = await scrape(limited.http.metricsUrl);
    const refused = (s: typeof after) =>
      s.value('walletgraph_gateway_rate_limited_total', { scope: 'address' });
    expect(refused(after) - refused(before)).toBe(1);
  });
});

describe('the live metrics', () => {
  const goal = { query: 'subscription { goalAchieved { achievedAt } }' };
  const topic = { topic: 'goalAchieved' };

  async function publishGoal(userId: string, achievedAt: string): Promise<void> {
    const jarId = '00000000-0000-7000-8000-000000000001';
    const event = liveNoticesEvent([{ userId, topic: 'goalAchieved', notice: { jarId, achievedAt } }], {
      correlationId: randomUUID(),
    });
    await broker.publish([eventMessage(event!)]);
  }

  it('counts a socket and its subscription while open, and its delivered events with their latency', async () => {
    const { accessToken } = await register(gateway.url, 'live-metrics');
    const userId = userIdOf(accessToken);
    const before = await scrape(gateway.http.metricsUrl);
    const sockets = (s: typeof before) => s.value('walletgraph_gateway_websockets_open');
    const active = (s: typeof before) => s.value('walletgraph_gateway_subscriptions_active', topic);
    const delivered = (s: typeof before) =>
      s.value('walletgraph_gateway_live_events_total', { ...topic, result: 'delivered' });
    const timed = (s: typeof before) =>
      s.value('walletgraph_gateway_live_delivery_latency_seconds_count', topic);

    const live = createLiveClient({ url: gateway.url, token: accessToken, options: { retryAttempts: 0 } });
    try {
      const goals = watch<{ goalAchieved: { achievedAt: string } }>(live.ws, goal);
      await untilListening(redis.redis, userId);
      const open = await scrape(gateway.http.metricsUrl);
      expect(sockets(open) - sockets(before)).toBe(1);
      expect(active(open) - active(before)).toBe(1);

      // The first event may still be read from the store while the subscription levels with the
      // channel (a page carries no entry time); once it is in, the second comes live.
      await publishGoal(userId, '2026-01-01T00:00:00.000Z');
      await goals.next('the first goal');
      await publishGoal(userId, '2026-01-02T00:00:00.000Z');
      await goals.next(
        'the second goal',
        (e) => e.data?.goalAchieved.achievedAt === '2026-01-02T00:00:00.000Z',
      );
      const received = await scrape(gateway.http.metricsUrl);
      expect(delivered(received) - delivered(before)).toBe(2);
      expect(timed(received) - timed(before)).toBeGreaterThanOrEqual(1);
      expect(received.value('walletgraph_gateway_live_delivery_latency_seconds_sum', topic)).toBeGreaterThan(
        before.value('walletgraph_gateway_live_delivery_latency_seconds_sum', topic),
      );
    } finally {
      await live.dispose();
    }
    const closed = await waitFor('the socket and its subscription to be counted out', async () => {
      const now = await scrape(gateway.http.metricsUrl);
      return sockets(now) === sockets(before) && active(now) === active(before) ? now : undefined;
    });
    expect(sockets(closed)).toBe(sockets(before));
    expect(active(closed)).toBe(active(before));
  });
});
