import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError } from './errors.ts';
import { createErrorFormatter } from './graphql/format-error.ts';
import { subgraphOperationLimits } from './graphql/operation-limits.ts';
import { operationMetricsPlugin } from './graphql/operation-metrics.ts';
import type { Logger } from './logger.ts';
import { metricsHandler } from './metrics.ts';
import type { Runtime } from './runtime.ts';
import type { SubgraphService } from './service.ts';
import { sharedResult } from './shared-result.ts';
import { operationSpanNames, traceRequests } from './tracing/http.ts';

export interface HttpServerHandle {
  readonly url: string;
  readonly server: Server;
  /** Stops accepting connections and drains in-flight requests. */
  stop(): Promise<void>;
}

export interface ProbeOptions {
  /** How long one readiness result answers every /readyz, in ms. Default 0: only concurrent hits share a check. */
  reuseMs?: number;
  /**
   * Whether /readyz says why a dependency is not ready, or only that it is `unavailable`.
   * Default true. The reasons carry driver messages, host names and ports: a process that hides
   * them should pass `logger`, where they still appear.
   */
  showReasons?: boolean;
  /** Where a failing check's reasons are logged, once per check run. */
  logger?: Logger;
}

/**
 * Probes every process serves: `/healthz` says it is alive, `/readyz` that its dependencies
 * answer (200, or 503 naming the checks). Concurrent /readyz hits share one run of `readiness`
 * (and, with `reuseMs`, hits shortly after it too), so hammering the probe costs no more checks.
 */
export function mountProbes(
  app: Express,
  readiness: () => Promise<Record<string, string>>,
  options: ProbeOptions = {},
): void {
  const { showReasons = true, logger } = options;
  const check = sharedResult(
    async () => {
      const checks = await readiness();
      const ready = Object.values(checks).every((v) => v === 'ok');
      if (!ready) logger?.warn({ checks }, 'not ready');
      return { ready, checks };
    },
    { reuseMs: options.reuseMs ?? 0 },
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, checks } = await check();
    const shown = showReasons
      ? checks
      : Object.fromEntries(
          Object.entries(checks).map(([name, v]) => [name, v === 'ok' ? 'ok' : 'unavailable']),
        );
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks: shown });
  });
}

/** Turns a failure while building a request's context (a bad token) into a proper GraphQL error. */
export function contextError(error: unknown): never {
  if (error instanceof DomainError) {
    throw new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        http: { status: error.code === 'UNAUTHENTICATED' ? 401 : 400 },
      },
    });
  }
  throw error;
}

export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shownHost}:${address.port}`;
}

/** Serves one subgraph over HTTP: `/graphql` (Apollo Server 5), its probes and extra routes. */
export async function serveSubgraph(
  service: SubgraphService,
  runtime: Runtime,
  options: { port: number; host: string },
): Promise<HttpServerHandle> {
  const { config } = runtime;
  const logger: Logger = runtime.logger.child({ subgraph: service.name });
  const app = express();
  app.disable('x-powered-by');
  // Only the gateway calls a subgraph, and never conditionally: a hash of every response body
  // for an ETag no one sends back is work for nothing.
  app.disable('etag');
  const server = createServer(app);
  // The gateway's operation limits here too: a subgraph port reached directly gets no deeper.
  const limits = subgraphOperationLimits({ isProduction: config.isProduction });
  const apollo = new ApolloServer({
    schema: service.schema,
    validationRules: [...limits.validationRules, ...service.validationRules],
    parseOptions: limits.parseOptions,
    // Shutdown is ours (platform/src/shutdown.ts): Apollo's own handler would re-raise the
    // signal after stopping and kill the process before the relay and consumers have stopped.
    stopOnTerminationSignals: false,
    introspection: !config.isProduction,
    formatError: createErrorFormatter({ logger, isProduction: config.isProduction }),
    plugins: [
      ...limits.plugins,
      operationMetricsPlugin(service.operations),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      ApolloServerPluginLandingPageDisabled(),
      // Inline traces (ftv1) feed Apollo Studio, which this stack does not report to.
      ApolloServerPluginInlineTraceDisabled(),
      operationSpanNames(),
    ],
  });
  await apollo.start();
  mountProbes(app, () => service.readiness());
  // A subgraph's port is internal (only the gateway is exposed), so its metrics are served there.
  app.get('/metrics', metricsHandler(runtime.metrics));
  const router = express.Router();
  service.mountRoutes(router);
  app.use(router);
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    traceRequests(),
    expressMiddleware(apollo, {
      context: ({ req }) => service.contextFor(req.headers).catch(contextError),
    }),
  );
  const base = await listen(server, options.port, options.host);
  logger.info({ url: `${base}/graphql` }, 'subgraph listening');
  return {
    url: `${base}/graphql`,
    server,
    async stop() {
      await apollo.stop();
    },
  };
}
