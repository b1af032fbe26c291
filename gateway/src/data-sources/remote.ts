import { type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { injectTraceparent, traceSubgraphCall } from '@walletgraph/platform/tracing/http';
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
  /** The subgraph's name, for its calls' spans. */
  readonly name: string;

  constructor(
    config: ConstructorParameters<typeof RemoteGraphQLDataSource<GatewayContext>>[0] & { name: string },
  ) {
    super(config);
    this.name = config.name;
  }

  /** Each call in a client span of its own (docs/tracing.md). */
  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    return traceSubgraphCall(this.name, () => super.process(options));
  }

  override willSendRequest(options: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    // Health checks and schema loading carry no client request, hence no headers to forward.
    if (!('incomingRequestContext' in options)) return;
    const headers = options.request.http?.headers;
    if (!headers) return;
    injectTraceparent((name, value) => headers.set(name, value));
    for (const [name, value] of Object.entries(options.context.forwardedHeaders ?? {})) {
      headers.set(name, value);
    }
  }
}
