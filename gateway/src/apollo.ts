import type { Server } from 'node:http';
import type { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { createErrorFormatter } from '@walletgraph/platform/graphql/format-error';
import { singlePasswordField } from '@walletgraph/platform/graphql/root-fields';
import type { Logger } from '@walletgraph/platform/logger';
import type { Metrics } from '@walletgraph/platform/metrics';
import { operationSpanNames } from '@walletgraph/platform/tracing/http';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from './context.ts';
import { createArmor } from './plugins/armor.ts';
import { rejectSubscriptionsOverHttp } from './plugins/reject-http-subscriptions.ts';
import { requestMetrics } from './plugins/request-metrics.ts';
import { retryAfterFromSubgraphs } from './plugins/retry-after.ts';

export interface GatewayApolloOptions {
  /** What executes operations: the supergraph gateway, or (tests) a plain schema. */
  executor: { gateway: ApolloGateway } | { schema: GraphQLSchema };
  isProduction: boolean;
  logger: Logger;
  /** Where requests are counted and timed (plugins/request-metrics.ts). */
  metrics: Metrics;
  /** The HTTP server to drain on stop, when there is one. */
  httpServer?: Server;
  /** Per-address throttles of costly mutations (limits/attempt-throttle.ts); none when omitted. */
  attemptThrottles?: ApolloServerPlugin<GatewayContext>[];
}

/**
 * The gateway's Apollo Server: requests counted and timed, the platform's error formatter, graphql-armor limits, HTTP
 * subscriptions refused up front, one password-hashing field per request, sign-in and
 * registration throttled per client address, Retry-After on subgraphs' refusals, and the Sandbox landing page with introspection outside
 * production only. CSRF prevention keeps Apollo's default (on): browsers must send JSON or a
 * preflight header, so a form post from another site cannot run a mutation with cookies.
 */
export function createGatewayApollo(options: GatewayApolloOptions): ApolloServer<GatewayContext> {
  const { isProduction } = options;
  const armor = createArmor({ isProduction });
  const plugins: ApolloServerPlugin<GatewayContext>[] = [
    // First, so that its clock starts before any other plugin's work.
    requestMetrics(options.metrics),
    rejectSubscriptionsOverHttp(),
    ...(armor.plugins as ApolloServerPlugin<GatewayContext>[]),
    ...(options.attemptThrottles ?? []),
    retryAfterFromSubgraphs(),
    operationSpanNames(),
    isProduction
      ? ApolloServerPluginLandingPageDisabled()
      : ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }),
    ...(options.httpServer ? [ApolloServerPluginDrainHttpServer({ httpServer: options.httpServer })] : []),
  ];
  return new ApolloServer<GatewayContext>({
    ...options.executor,
    // Shutdown is ours (platform/src/shutdown.ts): Apollo's own handler re-raises the signal.
    stopOnTerminationSignals: false,
    plugins,
    validationRules: [...armor.validationRules, singlePasswordField],
    parseOptions: armor.parseOptions,
    allowBatchedHttpRequests: false,
    introspection: !isProduction,
    includeStacktraceInErrorResponses: !isProduction,
    formatError: createErrorFormatter({ logger: options.logger, isProduction }),
    logger: options.logger,
  });
}
