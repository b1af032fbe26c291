import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { expressMiddleware } from '@as-integrations/express5';
import { type Config, subgraphUrl } from '@walletgraph/platform/config';
import { contextError, listen, mountProbes } from '@walletgraph/platform/http';
import { CORRELATION_HEADER } from '@walletgraph/platform/logger';
import { metricsHandler } from '@walletgraph/platform/metrics';
import type { Runtime } from '@walletgraph/platform/runtime';
import { traceRequests } from '@walletgraph/platform/tracing/http';
import cors from 'cors';
import express, { type Router } from 'express';
import { createGatewayApollo } from './apollo.ts';
import { authenticate, verifiedUserIdOf, viewerOf } from './authenticate.ts';
import { buildGatewayContext } from './context.ts';
import { assignCorrelationId, runInTrace } from './correlation.ts';
import type { Gateway } from './gateway.ts';
import { graphqlHttpErrors } from './http-errors.ts';
import { createAttemptThrottle, registrationAttempts, signInAttempts } from './limits/attempt-throttle.ts';
import { addressSubject, assignClientAddress, clientAddressOf } from './limits/client-address.ts';
import { rateLimit } from './limits/rate-limit.ts';
import type { CounterStore } from './limits/store.ts';
import { defaultCounterStore, liveCostBucket } from './limits/stores.ts';
import { limitUpgrades } from './limits/upgrade-limit.ts';
import { type MetricsEndpoint, serveMetrics } from './metrics-endpoint.ts';
import { createArmor } from './plugins/armor.ts';
import { READINESS_REUSE_MS } from './readiness.ts';
import { createEventBudget } from './subscriptions/event-budget.ts';
import { feedReader } from './subscriptions/feed-source.ts';
import { createSubscriptionSchema } from './subscriptions/schema.ts';
import { serveSubscriptions } from './subscriptions/server.ts';

export interface ServeGatewayOptions {
  config: Config;
  runtime: Runtime;
  gateway: Gateway;
  /** More routes beside /graphql and the probes (e.g. metrics). */
  extraRoutes?: (router: Router) => void;
  /**
   * Where the rate-limit and sign-in counters live. Default: Redis (keys prefixed with
   * `RATE_LIMIT_KEY_PREFIX`) when the runtime has it, shared by every gateway replica;
   * otherwise this process's memory.
   */
  counterStore?: CounterStore;
  /** Defaults: `GATEWAY_PORT`, `GATEWAY_METRICS_PORT` and `HOST` from the config. */
  port?: number;
  metricsPort?: number;
  host?: string;
}

export interface GatewayServer {
  /** The public GraphQL endpoint, `http://host:port/graphql`. */
  readonly url: string;
  /** The HTTP server; the graphql-ws server attaches to its `upgrade` on the same path. */
  readonly server: Server;
  /** The Prometheus endpoint on its own port, `http://host:port/metrics`. */
  readonly metricsUrl: string;
  /** Stops accepting requests, drains those in flight, and stops the gateway. */
  stop(): Promise<void>;
}

/**
 * Serves the supergraph: `POST /graphql` through Apollo Server 5 on express 5, `/healthz` and
 * `/readyz`, and in embedded mode the subgraphs' own routes (identity's JWKS) on the same port.
 * Every GraphQL request is given a correlation id, CORS-checked against `CORS_ORIGINS`,
 * rate-limited per client address, its bearer token verified, rate-limited per verified user,
 * size-limited by `GATEWAY_BODY_LIMIT`, and sign-in is throttled per client address. The limits
 * run before the body is read, so a client over them costs a counter lookup and nothing more.
 * Its Prometheus metrics are served on a port of their own (`GATEWAY_METRICS_PORT`), and on the
 * public one only when `METRICS_ON_PUBLIC_PORT` says so.
 */
export async function serveGateway(options: ServeGatewayOptions): Promise<GatewayServer> {
  const { config, runtime, gateway } = options;
  const logger = runtime.logger.child({ component: 'gateway' });
  const app = express();
  app.disable('x-powered-by');
  const server = createServer(app);
  const store = options.counterStore ?? defaultCounterStore(config, runtime);
  const apollo = createGatewayApollo({
    executor: { gateway: gateway.executor },
    isProduction: config.isProduction,
    logger,
    metrics: runtime.metrics,
    httpServer: server,
    attemptThrottles: [
      createAttemptThrottle({
        store,
        attempt: signInAttempts,
        limit: config.LOGIN_FAILURES_PER_ADDRESS,
        windowMs: config.LOGIN_FAILURE_WINDOW_MS,
        metrics: runtime.metrics,
      }),
      createAttemptThrottle({
        store,
        attempt: registrationAttempts,
        limit: config.REGISTRATIONS_PER_ADDRESS,
        windowMs: config.REGISTRATION_WINDOW_MS,
        metrics: runtime.metrics,
      }),
    ],
  });
  await apollo.start();
  // Ended sessions, from every replica: read now, then followed (pub/sub, and a read every 5 s).
  await runtime.revocations.start();

  // Explicit, so that no route mounted below (embedded mode's subgraph routes) can serve it.
  if (config.METRICS_ON_PUBLIC_PORT) app.get('/metrics', metricsHandler(runtime.metrics));
  else app.all('/metrics', (_req, res) => void res.status(404).end());
  mountProbes(app, () => gateway.readiness(), {
    reuseMs: READINESS_REUSE_MS,
    showReasons: !config.isProduction,
    logger,
  });
  const router = express.Router();
  gateway.mountRoutes(router);
  options.extraRoutes?.(router);
  app.use(router);
  app.use(
    '/graphql',
    assignCorrelationId(),
    cors({ origin: config.CORS_ORIGINS, exposedHeaders: [CORRELATION_HEADER, 'Retry-After'], maxAge: 600 }),
    assignClientAddress({ trustedProxies: config.TRUST_PROXY }),
    rateLimit({
      store,
      scope: 'address',
      limit: config.RATE_LIMIT_PER_ADDRESS,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      subjectOf: (_req, res) => addressSubject(clientAddressOf(res)),
      logger,
      metrics: runtime.metrics,
    }),
    authenticate(runtime.verifier, runtime.revocations),
    rateLimit({
      store,
      scope: 'user',
      limit: config.RATE_LIMIT_PER_USER,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      subjectOf: (_req, res) => verifiedUserIdOf(res),
      logger,
      metrics: runtime.metrics,
    }),
    express.json({ limit: config.GATEWAY_BODY_LIMIT }),
    runInTrace(),
    traceRequests(),
    expressMiddleware(apollo, {
      context: async ({ res }) => {
        try {
          return buildGatewayContext({
            viewer: viewerOf(res),
            clientAddress: clientAddressOf(res),
            logger,
            correlationId: res.locals.correlationId as string,
          });
        } catch (error) {
          return contextError(error);
        }
      },
    }),
    graphqlHttpErrors(logger),
  );

  const host = options.host ?? config.HOST;
  let base: string;
  let metricsEndpoint: MetricsEndpoint;
  try {
    base = await listen(server, options.port ?? config.GATEWAY_PORT, host);
    metricsEndpoint = await serveMetrics(
      runtime.metrics,
      options.metricsPort ?? config.GATEWAY_METRICS_PORT,
      host,
    );
  } catch (error) {
    // A port in use must not leave a started Apollo Server (and its gateway) behind.
    await apollo.stop().catch(() => {});
    throw error;
  }
  // Subscriptions over graphql-ws on the same port and path; each event is read through this
  // Apollo Server as the subscriber, with the same limits as an HTTP request.
  const subscriptions = serveSubscriptions({
    server,
    path: '/graphql',
    schema: createSubscriptionSchema({ logger }),
    verifier: runtime.verifier,
    engine: runtime.pubsub.engine,
    readFeedAs: feedReader(liveFeedUrl(config)),
    onReconnected: (listener) => runtime.pubsub.onReconnected(listener),
    runAs: (viewer, clientAddress) => async (document, variables) => {
      const contextValue = buildGatewayContext({
        viewer,
        clientAddress,
        logger,
        correlationId: randomUUID(),
      });
      const response = await apollo.executeOperation({ query: document, variables }, { contextValue });
      if (response.body.kind !== 'single')
        throw new Error('an incremental response to a subscription lookup');
      return response.body.singleResult;
    },
    logger,
    metrics: runtime.metrics,
    perUser: config.SUBSCRIPTIONS_PER_USER,
    queueSize: config.SUBSCRIPTION_QUEUE_SIZE,
    pingMs: config.SUBSCRIPTION_PING_MS,
    limits: createArmor({ isProduction: config.isProduction }),
    eventBudget: createEventBudget({ bucket: liveCostBucket(config, runtime), logger }),
    maxMessageBytes: bytes(config.GATEWAY_BODY_LIMIT),
    trustedProxies: config.TRUST_PROXY,
    revocations: runtime.revocations,
    verifyUpgrade: limitUpgrades({
      store,
      limit: config.WS_UPGRADES_PER_ADDRESS,
      windowMs: config.RATE_LIMIT_WINDOW_MS,
      trustedProxies: config.TRUST_PROXY,
      logger,
      metrics: runtime.metrics,
    }),
  });
  const url = `${base}/graphql`;
  logger.info({ url, metricsUrl: metricsEndpoint.url, subgraphs: gateway.kind }, 'gateway listening');
  return {
    url,
    server,
    metricsUrl: metricsEndpoint.url,
    async stop() {
      // Open subscriptions complete first (their sockets close with 1001), then HTTP drains:
      // ApolloServerPluginDrainHttpServer closes the server and waits for in-flight requests.
      await subscriptions.stop();
      await apollo.stop();
      await metricsEndpoint.stop();
    },
  };
}

/** A `GATEWAY_BODY_LIMIT` (`100kb`, `1mb`; config.ts validates the form) in bytes, as body-parser reads it. */
function bytes(size: string): number {
  const [, n, unit] = /^(\d+)(b|kb|mb)$/i.exec(size) ?? [];
  const factor = { b: 1, kb: 1024, mb: 1024 * 1024 }[unit?.toLowerCase() as 'b' | 'kb' | 'mb'];
  if (!n || !factor) throw new Error(`not a size: ${size}`);
  return Number(n) * factor;
}

/**
 * Identity's `GET /live-feed`, where the gateway reads what a subscriber missed: beside identity's
 * GraphQL endpoint, or on the gateway's own port in embedded mode (where identity's routes are).
 */
function liveFeedUrl(config: Config): string {
  if (config.mode === 'embedded' && !config.IDENTITY_URL)
    return `http://127.0.0.1:${config.GATEWAY_PORT}/live-feed`;
  return new URL('/live-feed', subgraphUrl(config, 'identity')).toString();
}
