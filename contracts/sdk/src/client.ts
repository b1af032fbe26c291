import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLFormattedError, print } from 'graphql';

/** What the gateway answered: typed data, and GraphQL errors with their `extensions.code`. */
export interface GraphQLResponse<TResult> {
  data?: TResult | null;
  errors?: GraphQLFormattedError[];
  extensions?: Record<string, unknown>;
  /** The HTTP status (401 for a bad token, 400 for an invalid operation). */
  status: number;
}

export interface ClientOptions {
  /** The gateway's GraphQL endpoint, e.g. `http://localhost:4000/graphql`. */
  url: string;
  /** An access token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request, e.g. `x-correlation-id`. */
  headers?: Record<string, string>;
}

/** Variables are required exactly when the operation declares a required one. */
type VariablesArg<TVariables> =
  Record<string, never> extends TVariables ? [variables?: TVariables] : [variables: TVariables];

export interface Client {
  request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: VariablesArg<TVariables>
  ): Promise<GraphQLResponse<TResult>>;
}

/**
 * A GraphQL-over-HTTP client for the gateway: POSTs JSON (which also satisfies the gateway's CSRF
 * prevention), and resolves with GraphQL errors rather than throwing on them; it throws only
 * when the answer is not a GraphQL response at all.
 */
export function createClient(options: ClientOptions): Client {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  return {
    async request(document, ...[variables]) {
      const res = await fetch(options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
      });
      const text = await res.text();
      let body: Omit<GraphQLResponse<never>, 'status'>;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        throw new Error(`not a GraphQL response (HTTP ${res.status}): ${text.slice(0, 200)}`);
      }
      return { ...body, status: res.status };
    },
  };
}
