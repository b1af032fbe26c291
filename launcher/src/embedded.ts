import { createGateway, serveGateway } from '@walletgraph/gateway';
import { type Config, subgraphNames } from '@walletgraph/platform/config';
import type { Logger } from '@walletgraph/platform/logger';
import { createRuntime } from '@walletgraph/platform/runtime';
import { type SubgraphService, startSubgraph } from '@walletgraph/platform/service';
import { startBiller } from './biller.ts';
import { subgraphDefinitions } from './subgraphs.ts';

export interface RunningStack {
  /** The gateway's GraphQL URL. */
  url: string;
  stop(): Promise<void>;
}

/**
 * Embedded mode: the whole supergraph in one process on one port. Each subgraph gets its own
 * PGlite database, events go through the in-process bus, and the gateway executes subgraphs
 * in-process — through the same context building (token verification) as over HTTP. The
 * simulated biller runs in this process too, but on its own port (BILLER_PORT): payments reach
 * it over HTTP, as they would a real biller.
 */
export async function startEmbedded(config: Config, logger: Logger): Promise<RunningStack> {
  const biller = await startBiller(config);
  // Stopped again if the rest fails to start: a test retrying on the same port would find it taken.
  try {
    const runtime = await createRuntime(config, logger);
    const services: SubgraphService[] = [];
    for (const name of subgraphNames) {
      services.push(
        await startSubgraph(subgraphDefinitions[name], runtime, {
          ...(config.EMBEDDED_DATA_DIR ? { dataDir: config.EMBEDDED_DATA_DIR } : {}),
          startRelay: false,
        }),
      );
    }
    // Every consumer is bound now, so nothing a relay publishes can miss its consumer.
    for (const service of services) service.startRelay();
    const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'local', services } });
    const http = await serveGateway({ config, runtime, gateway });
    return {
      url: http.url,
      async stop() {
        await http.stop();
        for (const service of services) await service.stop();
        await runtime.close();
        await biller.stop();
      },
    };
  } catch (error) {
    await biller.stop();
    throw error;
  }
}
