import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** What a client that sent a subscription over HTTP is told to do instead. */
export const subscriptionOverHttpMessage =
  'Subscriptions are not served over HTTP: open a WebSocket to this same /graphql path with graphql-ws ' +
  '(subprotocol graphql-transport-ws) and subscribe there.';

/**
 * Answers a `subscription` operation that arrived through Apollo Server with a clear
 * BAD_REQUEST, before the gateway's executor sees it: @apollo/gateway cannot execute
 * subscriptions and would otherwise fail with an internal error. Subscriptions
 * are served by the graphql-ws server on the same path (docs/architecture.md §8).
 */
export function rejectSubscriptionsOverHttp<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(subscriptionOverHttpMessage, {
            extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
          });
        },
      };
    },
  };
}
