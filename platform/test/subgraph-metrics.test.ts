import { randomBytes } from 'node:crypto';
import type { Event } from '@walletgraph/events';
import { graphql as execute } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenVerifier } from '../src/auth/verifier.ts';
import { loadConfig } from '../src/config.ts';
import { createErrorFormatter } from '../src/graphql/format-error.ts';
import { timedExecution } from '../src/graphql/operation-metrics.ts';
import { type HttpServerHandle, serveSubgraph } from '../src/http.ts';
import { eventMessage } from '../src/messaging/broker.ts';
import type { Metrics } from '../src/metrics.ts';
import { createPubSub } from '../src/pubsub.ts';
import { type Runtime, runtimeOver } from '../src/runtime.ts';
import { type SubgraphService, startSubgraph } from '../src/service.ts';
import { metricsSubgraph } from './fixtures/metrics-subgraph.ts';
import { type BrokerHarness, createHarness, walletOpened } from './support/brokers.ts';
import { archivedFor } from './support/consumers.ts';
import { dropTestDatabase, type TestSchema, testLogger, testSchema, waitFor } from './support/infra.ts';
import { recorded, scraped } from './support/metrics.ts';
import { testDatabaseUrl, testServices } from './support/services.ts';

/**
 * The platform's test subgraph (fixtures/metrics-subgraph.ts) run as `pnpm start` runs one
 * (startSubgraph, serveSubgraph) over a real Postgres database and RabbitMQ.
 */
describe('the metrics of a subgraph over Postgres and RabbitMQ', { timeout: 60_000 }, () => {
  const database = `wgtest_metrics_${randomBytes(4).toString('hex')}`;
  let brokers: BrokerHarness;
  let runtime: Runtime;
  let service: SubgraphService<TestSchema>;
  let http: HttpServerHandle;
  let metrics: Metrics;
  const subgraph = { subgraph: 'wallet' };
  const consumer = { ...subgraph, consumer: 'metrics.wallets' };

  const graphql = async (query: string) => {
    const response = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  };

  beforeAll(async () => {
    brokers = await createHarness('amqp');
    const logger = testLogger('metrics');
    const config = loadConfig({
      DATABASE_URL: testServices.postgres,
      WALLET_DATABASE_URL: testDatabaseUrl(database),
      AMQP_URL: testServices.amqp,
      // The runtime's pub/sub is in memory: Redis is never dialled.
      REDIS_URL: 'redis://unused.invalid',
      // Queue names begin with the broker harness's prefix, so its cleanup deletes them.
      EVENTS_EXCHANGE: brokers.consumerName('stack'),
      OUTBOX_POLL_MS: '50',
      CONSUMER_RETRY_DELAYS_MS: '50,100',
      DATABASE_POOL_MAX: '4',
    });
    const verifier: TokenVerifier = {
      async verify() {
        throw new Error('no tokens in this test');
      },
    };
    runtime = runtimeOver(
      { config, logger, broker: brokers.broker, pubsub: createPubSub({ logger }), verifier },
      async () => {},
    );
    metrics = runtime.metrics;
    // The relay starts later, so the backlog can be seen before it publishes.
    service = await startSubgraph(metricsSubgraph, runtime, { startRelay: false });
    http = await serveSubgraph(service, runtime, { port: 0, host: '127.0.0.1' });
  }, 60_000);

  afterAll(async () => {
    await http?.stop();
    await service?.stop();
    await runtime?.close();
    await brokers?.[Symbol.asyncDispose]();
    await dropTestDatabase(database);
  }, 60_000);

  it('times each operation by type, name and outcome, the first error’s code included', async () => {
    const announced = await graphql('mutation Announce { announce }');
    expect(announced.errors).toBeUndefined();
    const refused = await graphql('query Refuse { refuse }');
    expect(refused.errors).toHaveLength(1);

    const histogram = 'walletgraph_subgraph_operation_duration_seconds';
    const announce = { ...subgraph, operation_type: 'mutation', operation: 'Announce', outcome: 'ok' };
    const refuse = { ...subgraph, operation_type: 'query', operation: 'Refuse', outcome: 'BAD_USER_INPUT' };
    expect(await scraped(metrics, histogram, announce, `${histogram}_count`)).toBe(1);
    expect(await scraped(metrics, histogram, refuse, `${histogram}_count`)).toBe(1);
  });

  it('times an operation executed in-process, as embedded mode’s gateway executes a subgraph', async () => {
    const histogram = 'walletgraph_subgraph_operation_duration_seconds';
    const labels = {
      ...subgraph,
      operation_type: 'query',
      operation: 'RefuseInProcess',
      outcome: 'BAD_USER_INPUT',
    };
    const request = { query: 'query RefuseInProcess { refuse }', operationName: 'RefuseInProcess' };
    const format = createErrorFormatter({ logger: testLogger('metrics'), isProduction: false });
    const response = await timedExecution(service.operations, request, async () => {
      const result = await execute({
        schema: service.schema,
        source: request.query,
        contextValue: await service.contextFor({}),
      });
      return { errors: result.errors?.map((e) => format(e.toJSON(), e)) };
    });
    expect(response.errors).toHaveLength(1);
    expect(await scraped(metrics, histogram, labels, `${histogram}_count`)).toBe(1);
  });

  it('serves the metrics as Prometheus text on GET /metrics of the subgraph’s port', async () => {
    const response = await fetch(new URL('/metrics', http.url));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    expect(text).toMatch(
      /^walletgraph_subgraph_operation_duration_seconds_count\{[^}]*operation="Announce"[^}]*\} 1$/m,
    );
    expect(text).toMatch(/^process_cpu_seconds_total /m);
  });

  it('samples the unpublished outbox rows and the age of the oldest while the relay is stopped', async () => {
    expect(await scraped(metrics, 'walletgraph_outbox_backlog_rows', subgraph)).toBe(1);
    expect(
      await scraped(metrics, 'walletgraph_outbox_oldest_unpublished_age_seconds', subgraph),
    ).toBeGreaterThan(0);
    expect(await scraped(metrics, 'walletgraph_relay_leader', subgraph)).toBe(0);
  });

  it('drains the backlog to 0 once the relay leads, counting what the broker confirmed', async () => {
    service.startRelay();
    await waitFor(
      'the backlog to drain',
      async () => (await scraped(metrics, 'walletgraph_outbox_backlog_rows', subgraph)) === 0,
    );
    expect(await scraped(metrics, 'walletgraph_outbox_oldest_unpublished_age_seconds', subgraph)).toBe(0);
    expect(await scraped(metrics, 'walletgraph_relay_published_total', subgraph)).toBe(1);
    const confirms = 'walletgraph_relay_confirm_duration_seconds';
    expect(await scraped(metrics, confirms, subgraph, `${confirms}_count`)).toBeGreaterThanOrEqual(1);
    expect(await scraped(metrics, 'walletgraph_relay_leader', subgraph)).toBe(1);
  });

  it('counts the relayed event handled by its consumer, and times the handling', async () => {
    const messages = 'walletgraph_consumer_messages_total';
    await waitFor(
      'the event to be handled',
      async () => (await scraped(metrics, messages, { ...consumer, result: 'handled' })) === 1,
    );
    const durations = 'walletgraph_consumer_handler_duration_seconds';
    expect(await scraped(metrics, durations, consumer, `${durations}_count`)).toBe(1);
  });

  it('counts a message the inbox has already seen as a duplicate', async () => {
    const messages = 'walletgraph_consumer_messages_total';
    const [row] = await service.db.db.select().from(testSchema.outbox);
    // The relay's own message again, as a redelivery after a lost ack would bring it.
    await brokers.broker.publish([eventMessage(row!.envelope as Event)]);
    await waitFor(
      'the duplicate to be counted',
      async () => (await scraped(metrics, messages, { ...consumer, result: 'duplicate' })) === 1,
    );
    expect(await scraped(metrics, messages, { ...consumer, result: 'handled' })).toBe(1);
  });

  it('counts a failing handler retried at each delay, then dead-lettered, and shows the dead-letter queue holding it', async () => {
    const messages = 'walletgraph_consumer_messages_total';
    const queue = 'walletgraph_consumer_queue_messages';
    expect(await scraped(metrics, queue, { ...consumer, queue: 'dead_letter' })).toBe(0);
    await brokers.broker.publish([eventMessage(archivedFor(walletOpened()) as Event)]);
    await waitFor(
      'the refused event to be dead-lettered',
      async () => (await scraped(metrics, messages, { ...consumer, result: 'dead_lettered' })) === 1,
    );
    expect(await scraped(metrics, messages, { ...consumer, result: 'retried' })).toBe(2);
    await waitFor(
      'the dead-letter queue to show it',
      async () => (await scraped(metrics, queue, { ...consumer, queue: 'dead_letter' })) === 1,
    );
    expect(await scraped(metrics, queue, { ...consumer, queue: 'main' })).toBe(0);
  });

  it('reports the database pool: its size, and a connection in use while a transaction holds it', async () => {
    const connections = 'walletgraph_db_pool_connections';
    expect(await scraped(metrics, 'walletgraph_db_pool_max_connections', subgraph)).toBe(4);
    const { promise: held, resolve: release } = Promise.withResolvers<void>();
    const { promise: begun, resolve: begin } = Promise.withResolvers<void>();
    // Five transactions on a pool of four: at least one holds a connection, and the fifth waits.
    const transactions = Array.from({ length: 5 }, () =>
      service.db.db.transaction(async (tx) => {
        await tx.select().from(testSchema.inbox).limit(1);
        begin();
        await held;
      }),
    );
    await begun;
    // One scrape: its outbox sampler waits for a connection too, and is given up after its
    // timeout, while the scrape still answers.
    await metrics.render();
    const inUse = await recorded(metrics, connections, { ...subgraph, state: 'in_use' });
    const idle = await recorded(metrics, connections, { ...subgraph, state: 'idle' });
    const waiting = await recorded(metrics, 'walletgraph_db_pool_waiting_queries', subgraph);
    release();
    await Promise.all(transactions);
    expect(inUse).toBe(4);
    expect(idle).toBe(0);
    // The relay's poll may be in flight too: one more waiting then.
    expect(waiting).toBeGreaterThanOrEqual(1);
  });
});
