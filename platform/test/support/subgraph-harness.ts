import { randomBytes } from 'node:crypto';
import { bindingOf, type Event, parseEvent, routingKeyOf, topicMatches } from '@walletgraph/events';
import { asc, count, eq } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { type GraphQLFormattedError, type GraphQLSchema, graphql } from 'graphql';
import type { TokenVerifier } from '../../src/auth/verifier.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Schema } from '../../src/db/database.ts';
import { outbox } from '../../src/db/tables.ts';
import { unauthenticated } from '../../src/errors.ts';
import { createErrorFormatter } from '../../src/graphql/format-error.ts';
import type { AddressedNotice } from '../../src/live/notices.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { type Broker, eventMessage } from '../../src/messaging/broker.ts';
import { createInProcessBroker } from '../../src/messaging/in-process-broker.ts';
import type { Metrics } from '../../src/metrics.ts';
import { createPubSub } from '../../src/pubsub.ts';
import { runtimeOver } from '../../src/runtime.ts';
import { type SubgraphService, startSubgraph } from '../../src/service.ts';
import type { SubgraphDefinition } from '../../src/subgraph.ts';
import { dropTestDatabase, waitFor } from './infra.ts';
import { noticesOf } from './live-notices.ts';
import { testDatabaseUrl, testServices } from './services.ts';

export interface ExecutionResult {
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the operation selected.
  data: any;
  errors: GraphQLFormattedError[];
}

export interface SubgraphHarness<S extends Schema, Svc> extends AsyncDisposable {
  readonly service: SubgraphService<S, Svc>;
  /** The runtime's metrics registry, which the subgraph records in (support/metrics.ts reads it). */
  readonly metrics: Metrics;
  /**
   * Every live notice the subgraph wrote to its outbox (`live.notices.v1`) and the relay has
   * published since, oldest first, as the gateway would read it (fields without the version).
   */
  readonly published: AddressedNotice[];
  /** Runs an operation through the subgraph's schema as the holder of `token`, or anonymously. */
  execute(query: string, variables?: Record<string, unknown>, token?: string): Promise<ExecutionResult>;
  /**
   * Publishes events on the bus and waits until every consumer bound to each (by its routing
   * key) has finished it: handled, its transaction committed. No consumer bound: nothing to wait for.
   */
  deliver(...events: Event[]): Promise<void>;
  /** A token the harness's verifier accepts as this user. */
  tokenFor(userId: string): string;
  /** The payloads of the outbox's events of one type, oldest first. */
  outboxData<T>(type: string): Promise<T[]>;
  /** Rows in a table. */
  count(table: PgTable): Promise<number>;
}

/**
 * One subgraph as `pnpm start` runs it (its definition: services, consumers, outbox relay,
 * schema), over a throwaway real Postgres database (`wgtest_<name>_<random>`, migrated like
 * production, dropped on dispose), an in-process bus that records the live notices the relay
 * publishes, and an in-memory pubsub. Tokens are opaque
 * strings handed out per user and verified through the subgraph's usual context path. Consumers
 * take one message at a time, so messages published in order are handled in order.
 */
export async function createSubgraphHarness<S extends Schema, Svc>(
  definition: SubgraphDefinition<S, Svc>,
  options: { env?: Record<string, string> } = {},
): Promise<SubgraphHarness<S, Svc>> {
  const name = `wgtest_${definition.name}_${randomBytes(4).toString('hex')}`;
  const logger = createLogger(`${definition.name}-test`, process.env.TEST_LOG_LEVEL ?? 'silent');
  const config: Config = loadConfig({
    DATABASE_URL: testServices.postgres,
    [`${definition.name.toUpperCase()}_DATABASE_URL`]: testDatabaseUrl(name),
    // The harness brings its own bus and pubsub: these two are never dialled.
    AMQP_URL: 'amqp://unused.invalid',
    REDIS_URL: 'redis://unused.invalid',
    EVENTS_EXCHANGE: `wgtest_${randomBytes(4).toString('hex')}`,
    OUTBOX_POLL_MS: '50',
    CONSUMER_PREFETCH: '1',
    CONSUMER_RETRY_DELAYS_MS: '50,100,200,400',
    ...options.env,
  });
  const pubsub = createPubSub({ logger });
  const tokens = new Map<string, string>();
  const verifier: TokenVerifier = {
    async verify(token) {
      const userId = tokens.get(token);
      if (!userId) throw unauthenticated();
      return { userId, token, expiresAt: new Date(Date.now() + 900_000), issuedAt: new Date() };
    },
  };
  const bus = createInProcessBroker({ logger });
  // Deliveries each consumer finished (handled, or acknowledged as ignored), by message id, and
  // each consumer's bindings: `deliver` waits for every consumer bound to an event's routing key.
  const finished = new Map<string, number>();
  const bindings: (readonly string[])[] = [];
  const boundTo = (key: string) =>
    bindings.filter((patterns) => patterns.some((pattern) => topicMatches(pattern, key))).length;
  const broker: Broker = {
    ...bus,
    consume(spec) {
      bindings.push(spec.routingKeys);
      return bus.consume({
        ...spec,
        async handle(delivery) {
          await spec.handle(delivery);
          finished.set(delivery.id, (finished.get(delivery.id) ?? 0) + 1);
        },
      });
    },
  };
  // The live notices the relay publishes, as identity's `identity.live-feed` would take them:
  // a consumer of the harness's own, left out of `deliver`'s count.
  const published: AddressedNotice[] = [];
  await bus.consume({
    name: 'harness.live-notices',
    routingKeys: [bindingOf('live.notices.v1')],
    prefetch: 1,
    retryDelaysMs: [],
    async handle(delivery) {
      published.push(...noticesOf([parseEvent(JSON.parse(delivery.body)) as Event<'live.notices.v1'>]));
    },
  });
  const runtime = runtimeOver({ config, logger, broker, pubsub, verifier }, () => bus.close());
  const service = await startSubgraph(definition, runtime);
  const db = service.db.db;
  const run = operationRunner(service.schema, logger);

  return {
    service,
    metrics: runtime.metrics,
    published,
    async execute(query, variables = {}, token) {
      return run(
        query,
        variables,
        await service.contextFor(token ? { authorization: `Bearer ${token}` } : {}),
      );
    },
    async deliver(...events) {
      await broker.publish(events.map(eventMessage));
      for (const event of events) {
        await waitFor(
          `${event.type} ${event.id} to be handled`,
          () => (finished.get(event.id) ?? 0) >= boundTo(routingKeyOf(event)),
        );
      }
    },
    tokenFor(userId) {
      const token = `token-${randomBytes(8).toString('hex')}`;
      tokens.set(token, userId);
      return token;
    },
    async outboxData<T>(type: string) {
      const rows = await db
        .select({ envelope: outbox.envelope })
        .from(outbox)
        .where(eq(outbox.type, type))
        .orderBy(asc(outbox.seq));
      return rows.map((r) => (r.envelope as { data: T }).data);
    },
    async count(table) {
      const [row] = await db.select({ n: count() }).from(table);
      return row?.n ?? 0;
    },
    async [Symbol.asyncDispose]() {
      await service.stop();
      await runtime.close();
      await dropTestDatabase(name);
    },
  };
}

/**
 * Runs operations through `schema` with the context given, as a client would see them: errors
 * pass through the platform's one formatter (outside production), which logs unexpected ones to
 * `logger`.
 */
export function operationRunner(schema: GraphQLSchema, logger: Logger) {
  const format = createErrorFormatter({ logger, isProduction: false });
  return async (
    query: string,
    variables: Record<string, unknown>,
    contextValue: unknown,
  ): Promise<ExecutionResult> => {
    const result = await graphql({ schema, source: query, variableValues: variables, contextValue });
    return { data: result.data, errors: (result.errors ?? []).map((e) => format(e.toJSON(), e)) };
  };
}

/** The `extensions` (and message) of the only error of a result, failing when there is not exactly one. */
export function onlyError(result: ExecutionResult): Record<string, unknown> {
  if (result.errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(result.errors)}`);
  return { message: result.errors[0]!.message, ...result.errors[0]!.extensions };
}
