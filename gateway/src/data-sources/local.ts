import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { DomainError, toGraphQLError } from '@walletgraph/platform/errors';
import { createErrorFormatter } from '@walletgraph/platform/graphql/format-error';
import { timedExecution } from '@walletgraph/platform/graphql/operation-metrics';
import type { Logger } from '@walletgraph/platform/logger';
import type { SubgraphService } from '@walletgraph/platform/service';
import { traceLocalSubgraph } from '@walletgraph/platform/tracing/http';
import { type GraphQLError, type GraphQLFormattedError, graphql } from 'graphql';
import type { GatewayContext } from '../context.ts';

type GatewayResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/**
 * Embedded mode: a subgraph executed in-process (modelled on LocalGraphQLDataSource), yet
 * behaving as it does over HTTP. Its context is built by `service.contextFor` from the same
 * forwarded headers, so the subgraph verifies the token itself; its errors go through the
 * subgraph's own formatter; and the result makes the JSON round trip a network hop would,
 * so nothing that only survives in memory (a Date, a bigint) works here and fails in real mode.
 */
export class InProcessDataSource implements GraphQLDataSource<GatewayContext> {
  readonly service: SubgraphService;
  readonly #formatError: ReturnType<typeof createErrorFormatter>;

  constructor(service: SubgraphService, options: { logger: Logger; isProduction: boolean }) {
    this.service = service;
    this.#formatError = createErrorFormatter({
      logger: options.logger.child({ subgraph: service.name }),
      isProduction: options.isProduction,
    });
  }

  process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
    // Where an HTTP subgraph opens its server span, a child of the gateway's: the same trace.
    // And where its Apollo Server would time the operation: the same histogram (docs/metrics.md).
    const { query = '', operationName } = options.request;
    return traceLocalSubgraph(this.service.name, options.request, () =>
      timedExecution(this.service.operations, { query, operationName }, () => this.#execute(options)),
    );
  }

  async #execute(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayResponse> {
    const { request } = options;
    if (!request.query) throw new Error(`no query for subgraph ${this.service.name}`);
    const headers = 'incomingRequestContext' in options ? (options.context.forwardedHeaders ?? {}) : {};
    let contextValue: unknown;
    try {
      contextValue = await this.service.contextFor(headers);
    } catch (error) {
      // Over HTTP the subgraph answers a bad token with a GraphQL error; so does this.
      if (!(error instanceof DomainError)) throw error;
      return { errors: [this.#format(toGraphQLError(error))] };
    }
    const result = await graphql({
      schema: this.service.schema,
      source: request.query,
      variableValues: request.variables ?? null,
      operationName: request.operationName ?? null,
      contextValue,
    });
    const response = {
      ...(result.data !== undefined ? { data: result.data } : {}),
      ...(result.errors ? { errors: result.errors.map((e) => this.#format(e)) } : {}),
    };
    return JSON.parse(JSON.stringify(response)) as GatewayResponse;
  }

  #format(error: GraphQLError): GraphQLFormattedError {
    return this.#formatError(error.toJSON(), error);
  }
}
