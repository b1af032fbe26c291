import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ApolloGateway, type GraphQLDataSource } from '@apollo/gateway';
import { type Config, type SubgraphName, subgraphNames, subgraphUrl } from '@walletgraph/platform/config';
import type { Runtime } from '@walletgraph/platform/runtime';
import type { SubgraphService } from '@walletgraph/platform/service';
import type { Router } from 'express';
import { createHttpFetcher } from './data-sources/http-fetcher.ts';
import { InProcessDataSource } from './data-sources/local.ts';
import { ForwardingDataSource } from './data-sources/remote.ts';
import { timedDataSource } from './data-sources/timed.ts';
import { checkOf, localReadiness, type ReadinessChecks, remoteReadiness } from './readiness.ts';

/** The supergraph composed offline by `pnpm compose` (never fetched from running subgraphs). */
export const supergraphFile = join(import.meta.dirname, '../supergraph.graphql');

/** Where the gateway finds its subgraphs. */
export type SubgraphSource =
  /** Real mode: each subgraph over HTTP at `subgraphUrl(config, name)`. */
  | { kind: 'remote' }
  /** Embedded mode: the subgraphs run in this process and are executed in-process. */
  | { kind: 'local'; services: readonly SubgraphService[] };

export interface CreateGatewayOptions {
  config: Config;
  runtime: Runtime;
  subgraphs: SubgraphSource;
}

/** The supergraph executor plus what serving it needs to know about the subgraphs behind it. */
export interface Gateway {
  readonly kind: SubgraphSource['kind'];
  /** The executor Apollo Server runs; it plans each operation over the subgraphs. */
  readonly executor: ApolloGateway;
  /** For `/readyz`: every subgraph (and Redis) answers. */
  readiness(): Promise<ReadinessChecks>;
  /** Embedded mode serves the subgraphs' own HTTP routes (identity's JWKS) on the gateway's port. */
  mountRoutes(router: Router): void;
}

/**
 * Builds the gateway over the committed supergraph. The routing URLs inside the supergraph are
 * ignored: remote subgraphs are reached at the configured URLs, local ones in-process.
 */
export async function createGateway(options: CreateGatewayOptions): Promise<Gateway> {
  const { config, runtime, subgraphs } = options;
  const supergraphSdl = await readFile(supergraphFile, 'utf8');
  const logger = runtime.logger.child({ component: 'gateway' });

  if (subgraphs.kind === 'remote') {
    const urls = Object.fromEntries(subgraphNames.map((name) => [name, subgraphUrl(config, name)]));
    const fetcher = createHttpFetcher();
    return {
      kind: 'remote',
      executor: new ApolloGateway({
        supergraphSdl,
        logger,
        buildService: ({ name }) =>
          timedDataSource(
            name,
            new ForwardingDataSource({ name, url: urls[asSubgraphName(name)], fetcher }),
            runtime.metrics,
          ),
      }),
      async readiness() {
        const [services, redis] = await Promise.all([
          remoteReadiness(urls),
          checkOf('redis', () => runtime.pubsub.ping()),
        ]);
        return { ...services, ...redis };
      },
      mountRoutes() {},
    };
  }

  const byName = new Map<string, GraphQLDataSource>(
    subgraphs.services.map((service) => [
      service.name,
      timedDataSource(
        service.name,
        new InProcessDataSource(service, { logger, isProduction: config.isProduction }),
        runtime.metrics,
      ),
    ]),
  );
  return {
    kind: 'local',
    executor: new ApolloGateway({
      supergraphSdl,
      logger,
      buildService: ({ name }) => {
        const source = byName.get(name);
        if (!source)
          throw new Error(`the supergraph needs subgraph "${name}", which is not running in this process`);
        return source;
      },
    }),
    readiness: () => localReadiness(subgraphs.services),
    mountRoutes(router) {
      for (const service of subgraphs.services) service.mountRoutes(router);
    },
  };
}

function asSubgraphName(name: string): SubgraphName {
  if (!(subgraphNames as readonly string[]).includes(name)) {
    throw new Error(
      `the supergraph names an unknown subgraph "${name}" (known: ${subgraphNames.join(', ')})`,
    );
  }
  return name as SubgraphName;
}
