import type { IncomingMessage, Server } from 'node:http';
import {
  type TokenVerifier,
  type Viewer,
  viewerFromAuthorization,
} from '@walletgraph/platform/auth/verifier';
import type { Logger } from '@walletgraph/platform/logger';
import type { Metrics } from '@walletgraph/platform/metrics';
import type { Revocations } from '@walletgraph/platform/revocations';
import { closeCodes } from '@walletgraph/sdk/close-codes';
import { type ExecutionArgs, GraphQLError, type GraphQLSchema } from 'graphql';
import type { PubSubEngine } from 'graphql-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { type VerifyClientCallbackAsync, type WebSocket, WebSocketServer } from 'ws';
import { resolveClientAddress } from '../limits/client-address.ts';
import { subscribeWithCursors } from './cursors.ts';
import type { ChargeEvent } from './event-budget.ts';
import type { ReadFeed } from './feed-source.ts';
import { createLiveMetrics } from './live-metrics.ts';
import { onClientComplete, pingEvery } from './liveness.ts';
import type { RunQuery } from './lookup.ts';
import { checkSubscription, type OperationLimits } from './operation-check.ts';
import type { SubscriptionContext } from './schema.ts';
import { closeAtExpiry, createSessionCaps, SESSION_ENDED, type Session } from './sessions.ts';

export interface SubscriptionServerOptions {
  /** The gateway's HTTP server: subscriptions share its port and its `/graphql` path. */
  server: Server;
  path: string;
  /** The subscription schema (schema.ts). */
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  engine: PubSubEngine;
  /** Reads a subscriber's own live feed (feed-source.ts). */
  readFeedAs: (viewer: Viewer) => ReadFeed;
  /** Registers a call for each time the pub/sub connection came back after a loss. */
  onReconnected?: (listener: () => void) => () => void;
  /** Runs a query on the supergraph as this subscriber, from this address. */
  runAs: (viewer: Viewer, clientAddress: string) => RunQuery;
  logger: Logger;
  /** Where sockets, subscriptions and live events are counted (live-metrics.ts). */
  metrics: Metrics;
  /** Open subscriptions per user on this process. */
  perUser: number;
  queueSize: number;
  pingMs: number;
  limits: OperationLimits;
  /**
   * The charge of one event of a subscription of this cost to its user's budget
   * (event-budget.ts); every event is delivered when omitted.
   */
  eventBudget?: (userId: string, cost: number) => ChargeEvent;
  /** The largest WebSocket message a client may send, in bytes. */
  maxMessageBytes: number;
  /** Proxies in front of the gateway (`TRUST_PROXY`), for the client's address. */
  trustedProxies: number;
  /** Decides each upgrade before the socket is accepted (limits/upgrade-limit.ts); all are accepted when omitted. */
  verifyUpgrade?: VerifyClientCallbackAsync;
  /** Ended sessions (platform revocations): their tokens open no socket, and their sockets close. */
  revocations: Pick<Revocations, 'isRevoked' | 'onRevoked'>;
}

export interface SubscriptionServer {
  /** Completes every open subscription, closes every socket (1001 Going away) and stops pinging. */
  stop(): Promise<void>;
}

/**
 * graphql-ws on the gateway's own port and `/graphql` path (docs/architecture.md §8). The token comes
 * in `connection_init` (`authorization`), is verified like an HTTP request's, and a bad one closes
 * the socket with 4401 before anything else; the socket closes with 4401 when the token expires.
 * Only subscriptions are served here (queries and mutations go over HTTP); each user may hold
 * `perUser` at once; a subscription over the query cost limit (counted with its variables) is
 * refused, and each event it receives costs that much in its user's budget (`eventBudget`); a
 * socket that does not answer a ping within `pingMs` is dropped.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { schema, verifier, revocations, perUser } = options;
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    maxPayload: options.maxMessageBytes,
    ...(options.verifyUpgrade ? { verifyClient: options.verifyUpgrade } : {}),
  });
  const live = createLiveMetrics(options.metrics);
  live.watchSockets(wss);
  const sessions = new WeakMap<WebSocket, Session>();
  const caps = createSessionCaps(perUser);
  type Extra = { socket: WebSocket; request: IncomingMessage };
  const sessionOf = (extra: Extra) => sessions.get(extra.socket);
  /** Each accepted subscription's query cost, by the execution arguments onSubscribe returned. */
  const costs = new WeakMap<ExecutionArgs, number>();

  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema,
      // Each `next` carries its event's position in the subscriber's feed (`extensions.cursor`).
      subscribe: subscribeWithCursors,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const header = ctx.connectionParams?.authorization;
        const viewer =
          typeof header === 'string'
            ? await viewerFromAuthorization(verifier, header).catch(() => null)
            : null;
        if (!viewer) {
          socket.close(
            closeCodes.unauthorized,
            'Unauthorized: a valid bearer token is required in connection_init',
          );
          return false;
        }
        if (revocations.isRevoked(viewer.userId, viewer.issuedAt)) {
          socket.close(closeCodes.unauthorized, SESSION_ENDED);
          return false;
        }
        if (!caps.admitSocket(viewer.userId)) {
          socket.close(closeCodes.tooManyConnections, `Too many connections: at most ${perUser} per user`);
          return false;
        }
        sessions.set(socket, {
          viewer,
          clientAddress: resolveClientAddress(request, options.trustedProxies),
          active: new Set(),
          released: new Set(),
          expiry: closeAtExpiry(socket, viewer.expiresAt),
        });
        return true;
      },
      onSubscribe(ctx, id, payload) {
        const session = sessionOf(ctx.extra);
        if (!session) return [new GraphQLError('not connected', { extensions: { code: 'UNAUTHENTICATED' } })];
        const checked = checkSubscription(schema, options.limits, payload);
        if (!('args' in checked)) return checked;
        if (!caps.admitSubscription(session, id)) {
          return [
            new GraphQLError(`At most ${perUser} open subscriptions per user: complete one first.`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        costs.set(checked.args, checked.cost);
        return checked.args;
      },
      onComplete(ctx, id) {
        const session = sessionOf(ctx.extra);
        if (session) caps.completed(session, id);
      },
      onClose(ctx) {
        const session = sessionOf(ctx.extra);
        if (!session) return;
        clearTimeout(session.expiry);
        caps.closed(session);
      },
      context(ctx, _id, _payload, args): SubscriptionContext & Record<string, unknown> {
        const session = sessionOf(ctx.extra)!;
        const { userId } = session.viewer;
        return {
          userId,
          run: options.runAs(session.viewer, session.clientAddress),
          engine: options.engine,
          readFeed: options.readFeedAs(session.viewer),
          ...(options.onReconnected ? { onReconnected: options.onReconnected } : {}),
          queueSize: options.queueSize,
          chargeEvent: options.eventBudget?.(userId, costs.get(args) ?? 0) ?? (async () => null),
          live,
        };
      },
    },
    wss,
    // graphql-ws's own keep-alive is off: pingEvery is the one liveness rule (pingMs).
    0,
  );

  onClientComplete(wss, (socket, id) => {
    const session = sessions.get(socket);
    if (session) caps.releaseEarly(session, id);
  });
  const stopPinging = pingEvery(wss, options.pingMs, options.logger.child({ component: 'subscriptions' }));

  // A session ended elsewhere (sign-out everywhere, a password change, on any replica): its
  // sockets close with 4401 as an expired token's do. Revocations are rare; a scan is enough.
  const stopFollowing = revocations.onRevoked((userId, notBefore) => {
    for (const socket of wss.clients) {
      const session = sessions.get(socket);
      if (session?.viewer.userId === userId && session.viewer.issuedAt < notBefore) {
        socket.close(closeCodes.unauthorized, SESSION_ENDED);
      }
    }
  });

  return {
    async stop() {
      stopPinging();
      stopFollowing();
      // Closes every socket with 1001 (Going away), which completes its subscriptions, then the server.
      await server.dispose();
    },
  };
}
