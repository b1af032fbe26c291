import { createGateway, serveGateway } from '@walletgraph/gateway';
import { type Config, portOf, type SubgraphName, subgraphNames } from '@walletgraph/platform/config';
import { serveSubgraph } from '@walletgraph/platform/http';
import type { Logger } from '@walletgraph/platform/logger';
import { createRuntime } from '@walletgraph/platform/runtime';
import { startSubgraph } from '@walletgraph/platform/service';
import { startBiller } from './biller.ts';
import type { RunningStack } from './embedded.ts';
import { subgraphDefinitions } from './subgraphs.ts';

export type ServiceName = SubgraphName | 'gateway' | 'biller';

export function isServiceName(name: string | undefined): name is ServiceName {
  return name === 'gateway' || name === 'biller' || subgraphNames.includes(name as SubgraphName);
}

/**
 * Real mode: one service (a subgraph, the gateway or the simulated biller) in this process,
 * against the real services.
 */
export async function serveService(name: ServiceName, config: Config, logger: Logger): Promise<RunningStack> {
  // The biller stands for a company outside walletgraph: none of its databases, brokers or logs.
  if (name === 'biller') return startBiller(config);
  const runtime = await createRuntime(config, logger);
  if (name === 'gateway') {
    const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'remote' } });
    const http = await serveGateway({ config, runtime, gateway });
    return {
      url: http.url,
      async stop() {
        await http.stop();
        await runtime.close();
      },
    };
  }
  const service = await startSubgraph(subgraphDefinitions[name], runtime);
  const http = await serveSubgraph(service, runtime, { port: portOf(config, name), host: config.HOST });
  return {
    url: http.url,
    async stop() {
      await http.stop();
      await service.stop();
      await runtime.close();
    },
  };
}
