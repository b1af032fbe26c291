import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { createClient, type Client as WsClient, type ClientOptions as WsClientOptions } from 'graphql-ws';
import { closeCodes } from './close-codes.ts';

export interface LiveClientOptions {
  /** The gateway's GraphQL endpoint; `http(s)://…/graphql` becomes `ws(s)://…/graphql`. */
  url: string;
  /** The access token, sent in `connection_init` as `authorization: Bearer <token>`. */
  token: string;
  /** Passed to graphql-ws (retries, lazy connection, keep-alive, a WebSocket implementation, …). */
  options?: Omit<WsClientOptions, 'url' | 'connectionParams'>;
}

export interface LiveClient {
  /**
   * Subscribes with a typed subscription document; each event arrives as a typed result. Ends
   * when the iteration is ended (`return()`, `break`) or the server completes it.
   */
  subscribe<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
  ): AsyncIterableIterator<ExecutionResult<TResult>>;
  /** The underlying graphql-ws client (events such as `connected`, `closed`). */
  readonly ws: WsClient;
  /** Closes the socket and ends every subscription. */
  dispose(): Promise<void>;
}

/**
 * graphql-ws's own rule (retry after a socket closed, not after any other error) but for a close
 * past the user's connection cap (closeCodes.tooManyConnections), which a retry meets again.
 * graphql-ws itself gives up on its fatal codes (4401 among them) before asking.
 */
function retriesAfter(error: unknown): boolean {
  const closed = typeof error === 'object' && error !== null && 'code' in error && 'reason' in error;
  return closed && error.code !== closeCodes.tooManyConnections;
}

/**
 * Live updates over graphql-ws, on the same `/graphql` endpoint as queries. Events say what
 * changed; a client that was disconnected catches up by querying (Redis pub/sub does not replay
 * what it missed), e.g. `wallet(id) { balance … }` or `Wallet.operations` since its last seen one.
 */
export function createLiveClient(settings: LiveClientOptions): LiveClient {
  const ws = createClient({
    shouldRetry: retriesAfter,
    ...settings.options,
    url: settings.url.replace(/^http/, 'ws'),
    connectionParams: { authorization: `Bearer ${settings.token}` },
  });
  return {
    ws,
    subscribe(document, variables) {
      return ws.iterate({ query: print(document), variables: variables ?? {} }) as AsyncIterableIterator<
        ExecutionResult<never>
      >;
    },
    async dispose() {
      await ws.dispose();
    },
  };
}
