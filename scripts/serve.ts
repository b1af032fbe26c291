/**
 * `node scripts/serve.ts <service>`: runs one service (gateway, identity, wallet, jars, transactions,
 * ledger, biller) in real mode.
 */
import { isServiceName, serveService } from '@walletgraph/launcher/serve';
import { loadConfig } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { onShutdown } from '@walletgraph/platform/shutdown';
import { startTracing } from '@walletgraph/platform/tracing';

const name = process.argv[2];
if (!isServiceName(name)) {
  console.error('usage: node scripts/serve.ts <gateway|identity|wallet|jars|transactions|ledger|biller>');
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger(name, config.LOG_LEVEL);
// The simulated biller uses none of the real services, so it runs without them too.
if (config.mode !== 'real' && name !== 'biller') {
  logger.fatal(
    'scripts/serve.ts runs one service against real services: set DATABASE_URL, AMQP_URL and REDIS_URL',
  );
  process.exit(2);
}
const tracing = startTracing(config, name);
try {
  const service = await serveService(name, config, logger);
  // The spans still buffered go out last, after the service's own work has stopped.
  onShutdown(logger, [() => service.stop(), () => tracing.shutdown()]);
} catch (err) {
  logger.fatal({ err }, 'failed to start');
  process.exit(1);
}
