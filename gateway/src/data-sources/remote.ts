import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayContext } from '../context.ts';

/**
 * A subgraph over HTTP. Sends the caller's forwarded headers (bearer token and correlation id)
 * and nothing else of the client request, so a subgraph authorizes on the verified token only.
 *
 * Built with the gateway's own fetcher (http-fetcher.ts): the default, make-fetch-happen, builds
 * an Error per request (agent-base reads a stack), and WHATWG fetch wraps every response in web
 * streams.
 */
export class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loading carry no client request, hence no headers to forward.
    if (!('incomingRequestContext' in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    for (const [name, value] of Object.entries(options.context.forwardedHeaders ?? {})) {
      headers.set(name, value);
    }
  }
}
