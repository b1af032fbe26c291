import { randomBytes } from 'node:crypto';
import { createGateway } from '@walletgraph/gateway/gateway';
import type { CounterStore } from '@walletgraph/gateway/limits/store';
import { type GatewayServer, serveGateway } from '@walletgraph/gateway/server';
import { type Config, loadConfig, subgraphNames } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { createRuntime, type Runtime } from '@walletgraph/platform/runtime';
import { freePort } from './ports.ts';

export interface BareGateway extends AsyncDisposable {
  /** The gateway's GraphQL URL. */
  url: string;
  http: GatewayServer;
}

/**
 * The real gateway in remote mode with no subgraph running (each is pointed at a closed port):
 * whatever a test sees answered is answered by the gateway itself, before any subgraph.
 */
export async function startBareGateway(
  env: Record<string, string> = {},
  options: { counterStore?: CounterStore } = {},
): Promise<BareGateway> {
  const closed = await freePort();
  const urls = Object.fromEntries(
    subgraphNames.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${closed}/graphql`]),
  );
  const config = loadConfig({
    HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    GATEWAY_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    // Its own counters in Redis: tests all call from 127.0.0.1, and one run's registrations or
    // failed sign-ins must not count against another's.
    RATE_LIMIT_KEY_PREFIX: `wg:test:${randomBytes(4).toString('hex')}:`,
    ...urls,
    ...env,
  });
  const runtime = await createRuntime(
    config,
    createLogger('bare-gateway', process.env.TEST_LOG_LEVEL ?? 'silent'),
  );
  const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'remote' } });
  const http = await serveGateway({ config, runtime, gateway, ...options });
  return served(http.url, http, runtime);
}

/**
 * One more gateway replica for a running real stack, in this process (so a separate process from
 * the stack's own gateway): the same subgraphs, the same Redis for live updates, its own port.
 */
export async function startGatewayReplica(config: Config): Promise<BareGateway> {
  const runtime = await createRuntime(
    config,
    createLogger('gateway-replica', process.env.TEST_LOG_LEVEL ?? 'warn'),
  );
  try {
    const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'remote' } });
    const http = await serveGateway({ config, runtime, gateway, port: 0, metricsPort: 0, host: '127.0.0.1' });
    return served(http.url.replace('localhost', '127.0.0.1'), http, runtime);
  } catch (error) {
    await runtime.close();
    throw error;
  }
}

/** A gateway serving at `url` as tests hold it: disposing it stops the server, then closes its runtime. */
function served(url: string, http: GatewayServer, runtime: Runtime): BareGateway {
  return {
    url,
    http,
    async [Symbol.asyncDispose]() {
      try {
        await http.stop();
      } finally {
        await runtime.close();
      }
    },
  };
}
