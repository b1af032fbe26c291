import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { closeCodes } from './close-codes.ts';
import {
  backoffDelay,
  closeCodeOf,
  type ReconnectOptions,
  reconnectDefaults,
  reconnectsAfter,
} from './live-backoff.ts';
import { fetchLiveCursor } from './live-cursor.ts';
import { Feed, LiveFeedError, type LiveResult } from './live-feed.ts';
import { resumableQuery } from './live-resume.ts';
import { keepToken } from './live-token.ts';

export interface LiveClientOptions {
  /** The gateway's GraphQL endpoint; `http(s)://…/graphql` becomes `ws(s)://…/graphql`. */
  url: string;
  /** The access token, sent in `connection_init` as `authorization: Bearer <token>`. */
  token: string;
  /**
   * Returns a fresh access token (e.g. by `refreshSession`). Called `renewMarginMs` before the
   * current token's `exp`, and once after a 4401 close; the client then reconnects with it and
   * every subscription resumes. Without it, a 4401 ends every subscription.
   */
  renewToken?: () => Promise<string>;
  /** How long before the token's `exp` to renew it. Default 30 000 ms. */
  renewMarginMs?: number;
  /** Reconnect backoff; `options.retryAttempts`, when given, is the default `maxAttempts`. */
  reconnect?: ReconnectOptions;
  /**
   * Passed to graphql-ws (lazy connection, keep-alive, a WebSocket implementation, …), except
   * retrying, which the live client does itself (see `createLiveClient`).
   */
  options?: Omit<WsClientOptions, 'url' | 'connectionParams' | 'retryWait' | 'shouldRetry'>;
}

export interface LiveClient {
  /**
   * Subscribes with a typed subscription document. The iterator is one ordered stream across
   * reconnects: after any reconnect it subscribes again with `after:` the last cursor received
   * (the root field gets `after: $after` if the document does not pass one), so the gateway
   * replays what was missed, with no gap and no duplicate. Pass `after` in `variables` to start
   * after a cursor the app kept (each result's `extensions.cursor`); without one it first reads
   * where the feed stands (`Query.liveCursor`, over HTTP) and starts after that.
   *
   * Ends when the iteration is ended (`return()`, `break`) or the server completes it; throws a
   * `LiveFeedError` when the gateway refuses it (`cursorRefused` for CURSOR_EXPIRED: re-read the
   * state, then subscribe without `after`) or the socket cannot be reopened (`SOCKET_CLOSED`).
   */
  subscribe<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): AsyncIterableIterator<LiveResult<TResult>>;
  /**
   * The underlying graphql-ws client (events such as `connected`, `closed`). Subscriptions made
   * on it directly are not resumed: they end with the socket.
   */
  readonly ws: WsClient;
  /** Closes the socket, ends every subscription and clears every timer. */
  dispose(): Promise<void>;
}

/**
 * Live updates over graphql-ws, on the same `/graphql` endpoint as queries, resumable: each
 * event carries a cursor, and the client reconnects, renews its token and resumes every
 * subscription from its last cursor by itself.
 *
 * graphql-ws retries nothing here (`retryAttempts: 0`): its retry re-sends each subscription's
 * original payload, so a resumed one would start again from its first cursor. The client runs
 * its own loop instead: when the socket closes it drops every subscription's attempt, waits
 * (capped exponential backoff with full jitter, attempts counted until a `connection_ack`), then
 * subscribes each again with its latest cursor. It does not retry 4029 nor graphql-ws's fatal
 * codes, and answers 4401 by renewing the token once (or ends, without `renewToken`).
 */
export function createLiveClient(settings: LiveClientOptions): LiveClient {
  const reconnect = {
    ...reconnectDefaults,
    ...(settings.options?.retryAttempts === undefined ? {} : { maxAttempts: settings.options.retryAttempts }),
    ...settings.reconnect,
  };
  const feeds = new Set<Feed<unknown>>();
  let disposed = false;
  let attempts = 0;
  let renewedAfterRefusal = false;
  let renewalClose = false;
  let recovering: Promise<void> | undefined;
  let backoff: { timer: ReturnType<typeof setTimeout>; wake: () => void } | undefined;

  const token = keepToken({
    token: settings.token,
    renewToken: settings.renewToken,
    marginMs: settings.renewMarginMs ?? 30_000,
    onRenewed() {
      // A socket is authorised once, at connection_init: reconnect for the new token to count.
      if (![...feeds].some((feed) => feed.live)) return;
      renewalClose = true;
      ws.terminate();
      renewalClose = false;
    },
  });
  const ws = createClient({
    ...settings.options,
    retryAttempts: 0,
    url: settings.url.replace(/^http/, 'ws'),
    connectionParams: () => ({ authorization: `Bearer ${token.current()}` }),
  });

  const sleep = (ms: number) =>
    new Promise<void>((wake) => {
      backoff = { timer: setTimeout(wake, ms), wake };
    }).finally(() => {
      backoff = undefined;
    });

  /** Waits until the feeds may subscribe again, or rejects with why they end. */
  async function recover(reason: unknown, renewal: boolean): Promise<void> {
    if (renewal) return;
    const closeCode = closeCodeOf(reason);
    const how =
      closeCode === undefined ? String(reason) : `${closeCode} ${(reason as { reason: string }).reason}`;
    const closed = (cause?: unknown) =>
      new LiveFeedError(`the live socket closed (${how.trim()}) after ${attempts} reconnect(s)`, {
        code: 'SOCKET_CLOSED',
        closeCode,
        cause: cause ?? reason,
      });
    if (closeCode === closeCodes.unauthorized && token.renews && !renewedAfterRefusal) {
      renewedAfterRefusal = true;
      await token.renew().catch((cause: unknown) => Promise.reject(closed(cause)));
      return;
    }
    if (closeCode !== undefined && !reconnectsAfter(closeCode)) throw closed();
    if (attempts >= reconnect.maxAttempts) throw closed();
    attempts += 1;
    await sleep(backoffDelay(attempts, reconnect));
  }

  /** The socket under the feeds' attempts went: drop them all, and resume once it may. */
  function troubled(reason: unknown): void {
    if (disposed) return;
    const renewal = renewalClose;
    let dropped = false;
    for (const feed of feeds) dropped = feed.detach() || dropped;
    if (!dropped || recovering) return;
    const waiting = () => [...feeds].filter((feed) => !feed.live);
    recovering = recover(reason, renewal).then(
      () => {
        recovering = undefined;
        if (!disposed) for (const feed of waiting()) feed.attach();
      },
      (error: unknown) => {
        recovering = undefined;
        for (const feed of waiting()) feed.fail(error);
      },
    );
  }

  ws.on('connected', () => {
    attempts = 0;
    renewedAfterRefusal = false;
  });
  ws.on('closed', troubled);

  return {
    ws,
    subscribe<TResult, TVariables extends Record<string, unknown>>(
      document: TypedDocumentNode<TResult, TVariables>,
      variables?: TVariables,
    ) {
      const query = resumableQuery(document);
      const feed = new Feed<TResult>({
        ws,
        ...query,
        variables: variables ?? {},
        troubled,
        ended: (ended) => feeds.delete(ended),
      });
      if (disposed) {
        feed.finish();
        return feed;
      }
      feeds.add(feed as Feed<unknown>);
      // Without a cursor of the caller's, it starts after where the feed stands now, so even
      // a drop before its first event loses nothing.
      const start =
        feed.positioned || !query.cursorVariable
          ? Promise.resolve(undefined)
          : fetchLiveCursor(settings.url, token.current());
      void start.then((cursor) => {
        feed.startAfter(cursor);
        if (!disposed) feed.attach();
      });
      return feed;
    },
    async dispose() {
      disposed = true;
      token.dispose();
      if (backoff) {
        clearTimeout(backoff.timer);
        backoff.wake();
      }
      for (const feed of [...feeds]) feed.finish();
      await ws.dispose();
    },
  };
}
