import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import {
  GraphQLBoolean,
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

/**
 * A tiny resumable feed behind a real graphql-ws server, as the gateway serves one: events are
 * numbered 1, 2, …; `counted(after:)` replays the events after the cursor, then continues live;
 * each `next` carries `extensions.cursor` (the event's number). Tests drop or close its sockets.
 */
export interface FeedServer {
  /** `http://127.0.0.1:<port>/graphql`, as the live client is given. */
  readonly url: string;
  /** Every `connection_init`'s authorization, in order. */
  readonly tokens: string[];
  /** Every subscribe's `after` variable (undefined without one), in order. */
  readonly subscribes: (string | undefined)[];
  /** `Query.liveCursor` reads answered (the client's start without a cursor of its own). */
  readonly liveCursorReads: number;
  /** Subscriptions currently waiting for events. */
  readonly listening: number;
  /** Cursors below this are refused with CURSOR_EXPIRED. */
  oldestCursor: number;
  /** Tokens refused at connection_init with 4401; `closeOnConnect` closes every new socket with it. */
  readonly refusedTokens: Set<string>;
  closeOnConnect: { code: number; reason: string } | undefined;
  /** Appends events; returns the last one's number. */
  publish(count?: number): number;
  /** Drops every socket without a close frame (the client sees 1006). */
  dropSockets(): void;
  /** Closes every socket with `code`. */
  closeSockets(code: number, reason: string): void;
  close(): Promise<void>;
}

/** The document the tests subscribe with; it passes no `after`: the client adds it. */
export const Counted = parse('subscription Counted { counted }') as TypedDocumentNode<
  { counted: number },
  { after?: string | null }
>;

export async function startFeedServer(): Promise<FeedServer> {
  let published = 0;
  let liveCursorReads = 0;
  const waiters = new Set<() => void>();
  const tokens: string[] = [];
  const subscribes: (string | undefined)[] = [];
  const refusedTokens = new Set<string>();

  /** The events after `after` (or from now on, without one), then live ones. */
  const events = (after: string | undefined): AsyncIterableIterator<number> => {
    let next = after === undefined ? published + 1 : Number(after) + 1;
    let done = false;
    let wake: (() => void) | undefined;
    const iterator: AsyncIterableIterator<number> = {
      async next() {
        while (!done && next > published) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            waiters.add(resolve);
          });
        }
        return done ? { done: true, value: undefined } : { done: false, value: next++ };
      },
      async return() {
        done = true;
        if (wake) {
          waiters.delete(wake);
          wake();
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  };

  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        counted: {
          type: new GraphQLNonNull(GraphQLInt),
          args: { after: { type: GraphQLString } },
          subscribe: (_root, args: { after?: string | null }) => events(args.after ?? undefined),
          resolve: (event: number) => event,
        },
      },
    }),
  });

  // `POST /graphql` answers `Query.liveCursor` (where the feed stands: the last event's number),
  // as the gateway does; the same port serves the sockets.
  const http = createServer((req, res) => {
    liveCursorReads++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ data: { liveCursor: String(published) } }));
    req.resume();
  });
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const server: FeedServer = {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
    get liveCursorReads() {
      return liveCursorReads;
    },
    tokens,
    subscribes,
    get listening() {
      return waiters.size;
    },
    oldestCursor: 0,
    refusedTokens,
    closeOnConnect: undefined,
    publish(count = 1) {
      published += count;
      for (const wake of [...waiters]) {
        waiters.delete(wake);
        wake();
      }
      return published;
    },
    dropSockets() {
      for (const socket of wss.clients) socket.terminate();
    },
    closeSockets(code, reason) {
      for (const socket of wss.clients) socket.close(code, reason);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.dropSockets();
        wss.close(() => http.close(() => resolve()));
        http.closeAllConnections();
      }),
  };

  useServer(
    {
      schema,
      onConnect(ctx) {
        const authorization = String(ctx.connectionParams?.authorization ?? '');
        tokens.push(authorization);
        const refusal = refusedTokens.has(authorization.replace(/^Bearer /, ''))
          ? { code: 4401, reason: 'Unauthorized' }
          : server.closeOnConnect;
        if (refusal) ctx.extra.socket.close(refusal.code, refusal.reason);
        return !refusal;
      },
      onSubscribe(_ctx, _id, payload) {
        const after = payload.variables?.after;
        subscribes.push(typeof after === 'string' ? after : undefined);
        if (typeof after === 'string' && Number(after) < server.oldestCursor) {
          return [new GraphQLError('That cursor is too old.', { extensions: { code: 'CURSOR_EXPIRED' } })];
        }
      },
      onNext: (_ctx, _id, _payload, _args, result) => ({
        ...result,
        errors: result.errors?.map((error) => error.toJSON()),
        extensions: { ...result.extensions, cursor: String((result.data as { counted: number }).counted) },
      }),
    },
    wss,
  );
  return server;
}

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
export async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Consumes an iterator in the background: what it yielded, and how it ended. */
export function consume<T>(iterator: AsyncIterableIterator<T>): { items: T[]; ended: Promise<unknown> } {
  const items: T[] = [];
  const ended = (async () => {
    for await (const item of iterator) items.push(item);
    return 'done';
  })().catch((error: unknown) => error);
  return { items, ended };
}
