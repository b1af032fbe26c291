import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Router } from 'express';
import type { GraphQLSchema, ValidationRule } from 'graphql';
import { viewerFromAuthorization } from './auth/verifier.ts';
import { databaseUrl } from './config.ts';
import { createConsumer } from './consumer.ts';
import { consumerMetrics, sampleQueueDepths } from './consumer-metrics.ts';
import { type DatabaseHandle, openDatabase, type Schema } from './db/database.ts';
import { samplePoolUsage } from './db/pool-metrics.ts';
import { type OperationMetrics, operationMetrics } from './graphql/operation-metrics.ts';
import { CORRELATION_HEADER, correlationIdFrom } from './logger.ts';
import { relayMetrics, sampleOutboxBacklog } from './outbox/metrics.ts';
import { createOutboxRelay } from './outbox/relay.ts';
import type { Runtime } from './runtime.ts';
import { CLIENT_ADDRESS_HEADER, type RequestContext, type SubgraphDefinition } from './subgraph.ts';

type Headers = Record<string, string | string[] | undefined>;

/** A running subgraph, without HTTP: what the HTTP server and the embedded gateway both serve. */
export interface SubgraphService<S extends Schema = Schema, Svc = unknown> {
  readonly name: string;
  readonly schema: GraphQLSchema;
  /** Validation rules beyond graphql-js's own (SubgraphDefinition.validationRules). */
  readonly validationRules: readonly ValidationRule[];
  readonly db: DatabaseHandle<S>;
  readonly services: Svc;
  /**
   * Records the latency of each operation this subgraph executes: Apollo Server's plugin over
   * HTTP (http.ts), and any executor that runs the schema in-process (embedded mode's gateway).
   */
  readonly operations: OperationMetrics;
  /** Builds a request's context from its headers: verifies the bearer token (never trusts a user id header). */
  contextFor(headers: Headers): Promise<RequestContext<S, Svc>>;
  /** Mounts the subgraph's extra HTTP routes. */
  mountRoutes(router: Router): void;
  /** Each dependency and whether it answers; for /readyz. */
  readiness(): Promise<Record<string, 'ok' | string>>;
  /** Starts publishing the outbox (unless it already runs). */
  startRelay(): void;
  /** Stops consumers and the relay, then closes the database. */
  stop(): Promise<void>;
}

export interface StartSubgraphOptions {
  /** Embedded mode: directory for PGlite data; omitted keeps the databases in memory. */
  dataDir?: string;
  /**
   * Start the outbox relay at once (default). Embedded mode starts every subgraph's consumers
   * first and the relays after, because the in-process bus can only deliver to consumers
   * that are already bound (RabbitMQ keeps such messages; the in-memory bus cannot).
   */
  startRelay?: boolean;
}

/** Opens the subgraph's database, builds its schema and services, starts its relay and consumers. */
export async function startSubgraph<S extends Schema, Svc>(
  def: SubgraphDefinition<S, Svc>,
  runtime: Runtime,
  options: StartSubgraphOptions = {},
): Promise<SubgraphService<S, Svc>> {
  const { config, metrics } = runtime;
  const logger = runtime.logger.child({ subgraph: def.name });
  const db = await openDatabase({
    name: def.name,
    schema: def.db.schema,
    migrationsFolder: def.db.migrationsFolder,
    logger,
    maxConnections: config.DATABASE_POOL_MAX,
    ...(config.mode === 'real'
      ? { url: databaseUrl(config, def.name) }
      : options.dataDir
        ? { dataDir: join(options.dataDir, def.name) }
        : {}),
  });
  const services = (await def.services?.({
    config,
    db,
    logger,
    publisher: runtime.pubsub.publisher,
    revocations: runtime.revocations,
    metrics,
  })) as Svc;
  const schema = buildSubgraphSchema([{ typeDefs: def.typeDefs, resolvers: def.resolvers }]);

  const relay = createOutboxRelay({
    db,
    broker: runtime.broker,
    logger,
    name: def.name,
    batchSize: config.OUTBOX_BATCH_SIZE,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    metrics: relayMetrics(metrics, def.name),
  });
  let relayStarted = false;
  const startRelay = () => {
    if (relayStarted) return;
    relayStarted = true;
    relay.start();
  };
  // Gauges read from the database and the broker on each scrape, stopped with the subgraph.
  const stopSampling = [sampleOutboxBacklog(metrics, def.name, db), samplePoolUsage(metrics, def.name, db)];
  const consumers = (def.consumers?.(services) ?? []).map((c) => {
    // Queues are namespaced by the exchange, so stacks sharing a broker never share queues.
    const queue = `${config.EVENTS_EXCHANGE}.${c.name}`;
    stopSampling.push(
      sampleQueueDepths(metrics, runtime.broker, { subgraph: def.name, consumer: c.name, queue }),
    );
    return createConsumer({
      name: queue,
      db,
      broker: runtime.broker,
      logger,
      handlers: c.handlers,
      batchHandlers: c.batchHandlers,
      effectHandlers: c.effectHandlers,
      topics: c.topics,
      batch: c.batch,
      prefetch: c.prefetch ?? config.CONSUMER_PREFETCH,
      retryDelaysMs: config.CONSUMER_RETRY_DELAYS_MS,
      metrics: consumerMetrics(metrics, def.name, c.name),
    });
  });
  for (const name of def.retiredConsumers ?? []) {
    // Housekeeping, never a reason not to start: a broker away for a moment leaves it to the next start.
    const kept = await runtime.broker
      .retireConsumer(`${config.EVENTS_EXCHANGE}.${name}`, config.CONSUMER_RETRY_DELAYS_MS)
      .catch((err: unknown) => {
        logger.warn(
          { err, consumer: name },
          'could not delete a retired consumer’s queues; tried at the next start',
        );
        return 0;
      });
    if (kept > 0)
      logger.warn({ consumer: name, deadLetters: kept }, 'retired consumer still has dead letters');
  }
  await Promise.all(consumers.map((c) => c.start()));
  if (options.startRelay ?? true) startRelay();
  logger.info({ consumers: consumers.length, database: db.kind }, 'subgraph started');

  return {
    name: def.name,
    schema,
    validationRules: def.validationRules ?? [],
    db,
    services,
    operations: operationMetrics(metrics, def.name),
    async contextFor(headers) {
      const correlationId = correlationIdFrom(headers[CORRELATION_HEADER]);
      const viewer = await viewerFromAuthorization(runtime.verifier, headers.authorization);
      const clientAddress = headers[CLIENT_ADDRESS_HEADER];
      return {
        db: db.db,
        viewer,
        correlationId,
        ...(typeof clientAddress === 'string' && clientAddress ? { clientAddress } : {}),
        logger: logger.child({ correlationId }),
        services,
      };
    },
    startRelay,
    mountRoutes(router) {
      def.routes?.(router, services, (req) =>
        viewerFromAuthorization(runtime.verifier, req.headers.authorization),
      );
    },
    async readiness() {
      const checks = { database: db.ping(), broker: runtime.broker.ping(), redis: runtime.pubsub.ping() };
      const entries = await Promise.all(
        Object.entries(checks).map(async ([name, check]) => {
          try {
            await check;
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, (error as Error).message || 'unreachable'] as const;
          }
        }),
      );
      return Object.fromEntries(entries);
    },
    async stop() {
      for (const stop of stopSampling) stop();
      await Promise.allSettled(consumers.map((c) => c.stop()));
      await relay.stop();
      if (def.stopServices) await def.stopServices(services);
      await db.close();
      logger.info('subgraph stopped');
    },
  };
}
