import { type BillerServer, startBillerServer } from '@walletgraph/biller/server';
import { type Config, portOf } from '@walletgraph/platform/config';

/** The simulated biller on BILLER_PORT, its switches taken from configuration. */
export function startBiller(config: Config): Promise<BillerServer> {
  return startBillerServer({
    port: portOf(config, 'biller'),
    host: config.HOST,
    behaviour: {
      latencyMs: config.BILLER_LATENCY_MS,
      failureRate: config.BILLER_FAILURE_RATE,
      hangMs: config.BILLER_HANG_MS,
    },
  });
}
