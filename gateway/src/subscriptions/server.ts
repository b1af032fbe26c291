import type { IncomingMessage, Server } from 'node:http';
import {
  type TokenVerifier,
  type Viewer,
  viewerFromAuthorization,
} from '@walletgraph/platform/auth/verifier';
import type { Logger } from '@walletgraph/platform/logger';
import type { Revocations } from '@walletgraph/platform/revocations';
import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { PubSubEngine } from 'graphql-subscriptions';
import { useServer } from 'graphql-ws/use/ws';
import { type VerifyClientCallbackAsync, type WebSocket, WebSocketServer } from 'ws';
import { resolveClientAddress } from '../limits/client-address.ts';
import type { ArmorProtection } from '../plugins/armor.ts';
import type { ChargeEvent } from './event-budget.ts';
import type { RunQuery } from './forward.ts';
import type { SubscriptionContext } from './schema.ts';

export interface SubscriptionServerOptions {
  /** The gateway's HTTP server: subscriptions share its port and its `/graphql` path. */
  server: Server;
  path: string;
  /** The subscription schema (schema.ts). */
  schema: GraphQLSchema;
  verifier: TokenVerifier;
  engine: PubSubEngine;
  /** Runs a query on the supergraph as this subscriber, from this address. */
  runAs: (viewer: Viewer, clientAddress: string) => RunQuery;
  logger: Logger;
  /** Open subscriptions per user on this process. */
  perUser: number;
  queueSize: number;
  pingMs: number;
  /** The same operation limits as HTTP requests (plugins/armor.ts): tokens, depth, aliases, cost (with variables). */
  limits: Pick<ArmorProtection, 'parseOptions' | 'validationRules' | 'hideSuggestions' | 'checkCost'>;
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

interface Session {
  viewer: Viewer;
  clientAddress: string;
  active: Set<string>;
  /** Ids whose slot was freed when the client's `complete` arrived, before graphql-ws's onComplete. */
  released: Set<string>;
  expiry: NodeJS.Timeout;
}

/** The close code for a missing, bad or expired token (graphql-ws reserves 4403 for refusals). */
export const UNAUTHORIZED_CLOSE = 4401;
/** Why a socket of an ended session closes. */
const SESSION_ENDED = 'Unauthorized: the session was ended; sign in again';
/** The close code for a user past their connection cap. */
export const TOO_MANY_CLOSE = 4429;

/** The longest delay a Node timer takes (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Closes the socket with 4401 once the token expires, re-arming for lifetimes longer than a timer can wait. */
function closeAtExpiry(socket: WebSocket, expiresAt: Date): NodeJS.Timeout {
  const left = expiresAt.getTime() - Date.now();
  const timer =
    left > MAX_TIMER_MS
      ? setTimeout(() => closeAtExpiry(socket, expiresAt), MAX_TIMER_MS)
      : setTimeout(
          () => socket.close(UNAUTHORIZED_CLOSE, 'Unauthorized: the token expired'),
          Math.max(0, left),
        );
  timer.unref();
  return timer;
}

/**
 * graphql-ws on the gateway's own port and `/graphql` path (ARCHITECTURE.md §8). The token comes
 * in `connection_init` (`authorization`), is verified like an HTTP request's, and a bad one closes
 * the socket with 4401 before anything else; the socket closes with 4401 when the token expires.
 * Only subscriptions are served here (queries and mutations go over HTTP); each user may hold
 * `perUser` at once; a subscription over the query cost limit (counted with its variables) is
 * refused, and each event it receives costs that much in its user's budget (`eventBudget`); a
 * socket that does not answer a ping within `pingMs` is dropped.
 */
export function serveSubscriptions(o: SubscriptionServerOptions): SubscriptionServer {
  const log = o.logger.child({ component: 'subscriptions' });
  const wss = new WebSocketServer({
    server: o.server,
    path: o.path,
    maxPayload: o.maxMessageBytes,
    ...(o.verifyUpgrade ? { verifyClient: o.verifyUpgrade } : {}),
  });
  const sessions = new WeakMap<WebSocket, Session>();
  const perUser = new Map<string, number>();
  const sockets = new Map<string, number>();
  const count = (userId: string, delta: number) => {
    const n = (perUser.get(userId) ?? 0) + delta;
    if (n > 0) perUser.set(userId, n);
    else perUser.delete(userId);
  };
  type Extra = { socket: WebSocket; request: IncomingMessage };
  const sessionOf = (extra: Extra) => sessions.get(extra.socket);
  const release = (session: Session, id: string) => {
    if (session.active.delete(id)) count(session.viewer.userId, -1);
  };
  /** Each accepted subscription's query cost, by the execution arguments onSubscribe returned. */
  const costs = new WeakMap<ExecutionArgs, number>();

  const server = useServer<Record<string, unknown>, Extra>(
    {
      schema: o.schema,
      async onConnect(ctx) {
        const { socket, request } = ctx.extra;
        const header = ctx.connectionParams?.authorization;
        let viewer: Viewer | null = null;
        try {
          viewer = typeof header === 'string' ? await viewerFromAuthorization(o.verifier, header) : null;
        } catch {
          viewer = null;
        }
        if (!viewer) {
          socket.close(
            UNAUTHORIZED_CLOSE,
            'Unauthorized: a valid bearer token is required in connection_init',
          );
          return false;
        }
        if (o.revocations.isRevoked(viewer.userId, viewer.issuedAt)) {
          socket.close(UNAUTHORIZED_CLOSE, SESSION_ENDED);
          return false;
        }
        // Sockets per user are capped like subscriptions: each costs a session, a timer and pings.
        if ((sockets.get(viewer.userId) ?? 0) >= o.perUser) {
          socket.close(TOO_MANY_CLOSE, `Too many connections: at most ${o.perUser} per user`);
          return false;
        }
        sockets.set(viewer.userId, (sockets.get(viewer.userId) ?? 0) + 1);
        sessions.set(socket, {
          viewer,
          clientAddress: resolveClientAddress(request, o.trustedProxies),
          active: new Set(),
          released: new Set(),
          expiry: closeAtExpiry(socket, viewer.expiresAt),
        });
        return true;
      },
      onSubscribe(ctx, id, payload) {
        const session = sessionOf(ctx.extra);
        if (!session) return [new GraphQLError('not connected', { extensions: { code: 'UNAUTHENTICATED' } })];
        let document: ReturnType<typeof parse>;
        try {
          document = parse(payload.query, o.limits.parseOptions);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(o.schema, document, [...specifiedRules, ...o.limits.validationRules]);
        if (errors.length > 0) return o.limits.hideSuggestions(errors);
        const operation = getOperationAST(document, payload.operationName);
        if (operation?.operation !== 'subscription') {
          return [
            new GraphQLError(
              'Only subscriptions are served over WebSocket: send queries and mutations over HTTP.',
              {
                extensions: { code: 'BAD_REQUEST' },
              },
            ),
          ];
        }
        // Its cost with its variables: what one event costs, since each re-runs the selection.
        const { cost, refusal } = o.limits.checkCost(
          o.schema,
          document,
          payload.operationName,
          payload.variables,
        );
        if (refusal) return [refusal];
        const { userId } = session.viewer;
        if ((perUser.get(userId) ?? 0) >= o.perUser) {
          return [
            new GraphQLError(`At most ${o.perUser} open subscriptions per user: complete one first.`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        session.active.add(id);
        count(userId, 1);
        // Parsed and validated once, here: graphql-ws executes exactly this.
        const args: ExecutionArgs = {
          schema: o.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
        };
        costs.set(args, cost);
        return args;
      },
      onComplete(ctx, id) {
        const session = sessionOf(ctx.extra);
        if (!session) return;
        // Freed already when the client's `complete` arrived; the id may be in use again since.
        if (session.released.delete(id)) return;
        release(session, id);
      },
      onClose(ctx) {
        const session = sessionOf(ctx.extra);
        if (!session) return;
        clearTimeout(session.expiry);
        const open = (sockets.get(session.viewer.userId) ?? 1) - 1;
        if (open > 0) sockets.set(session.viewer.userId, open);
        else sockets.delete(session.viewer.userId);
        count(session.viewer.userId, -session.active.size);
        session.active.clear();
        session.released.clear();
      },
      context(ctx, _id, _payload, args): SubscriptionContext & Record<string, unknown> {
        const session = sessionOf(ctx.extra)!;
        const { userId } = session.viewer;
        return {
          userId,
          run: o.runAs(session.viewer, session.clientAddress),
          engine: o.engine,
          queueSize: o.queueSize,
          chargeEvent: o.eventBudget?.(userId, costs.get(args) ?? 0) ?? (async () => null),
        };
      },
    },
    wss,
    // graphql-ws's own keep-alive is off: the pinger below is the one liveness rule (pingMs).
    0,
  );

  // A session ended elsewhere (sign-out everywhere, a password change, on any replica): its
  // sockets close with 4401 as an expired token's do. Revocations are rare; a scan is enough.
  const stopFollowing = o.revocations.onRevoked((userId, notBefore) => {
    for (const socket of wss.clients) {
      const session = sessions.get(socket);
      if (session?.viewer.userId === userId && session.viewer.issuedAt < notBefore) {
        socket.close(UNAUTHORIZED_CLOSE, SESSION_ENDED);
      }
    }
  });

  // Liveness: every socket must answer each ping before the next one, or it is dropped.
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (socket) => {
    alive.set(socket, true);
    socket.on('pong', () => alive.set(socket, true));
    // A client's `complete` frees its slot at once. graphql-ws calls onComplete only once the
    // subscription has wound down, a few ticks later, and a `subscribe` sent right after the
    // `complete` (often in the same TCP read) would otherwise be refused as over the cap. This
    // listener runs after graphql-ws's own, which has already forgotten the id by then.
    socket.on('message', (data) => {
      const session = sessions.get(socket);
      if (!session || session.active.size === 0) return;
      const id = completedId(String(data));
      if (id === null || !session.active.has(id)) return;
      release(session, id);
      session.released.add(id);
    });
  });
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (alive.get(socket) === false) {
        log.info('dropping a subscription socket that stopped answering pings');
        socket.terminate();
        continue;
      }
      alive.set(socket, false);
      socket.ping();
    }
  }, o.pingMs);
  pinger.unref();

  return {
    async stop() {
      clearInterval(pinger);
      stopFollowing();
      // Closes every socket with 1001 (Going away), which completes its subscriptions, then the server.
      await server.dispose();
    },
  };
}

/** The id of a graphql-ws `complete` message from the client, or null for any other message. */
function completedId(data: string): string | null {
  try {
    const message = JSON.parse(data) as { type?: unknown; id?: unknown };
    return message.type === 'complete' && typeof message.id === 'string' ? message.id : null;
  } catch {
    return null;
  }
}
