import type { ApolloServerPlugin } from '@apollo/server';

/**
 * Gives a subgraph's "try again later" (an error with `retryAfterSeconds`: identity's
 * TOO_MANY_ATTEMPTS, its full hashing pool's RATE_LIMITED) the HTTP form the gateway's own
 * limits use: a `Retry-After` header (the longest wait asked for), and status 429 when nothing of
 * the operation could be answered (`data` null). A response with some data keeps its status, as
 * GraphQL over HTTP wants for partial results.
 */
export function retryAfterFromSubgraphs<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const waits = (errors ?? [])
            .map((error) => error.extensions?.retryAfterSeconds)
            .filter((seconds): seconds is number => typeof seconds === 'number' && seconds > 0);
          if (waits.length === 0) return;
          response.http.headers.set('retry-after', String(Math.max(...waits)));
          if (data == null && (response.http.status ?? 200) === 200) response.http.status = 429;
        },
      };
    },
  };
}
