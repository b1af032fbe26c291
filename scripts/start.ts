/**
 * `pnpm start`: the whole walletgraph supergraph from one command.
 * With DATABASE_URL, AMQP_URL and REDIS_URL set: five subgraph processes and the gateway,
 * against those services. With none set: embedded mode, one process, nothing to install.
 */
import { startEmbedded } from '@walletgraph/launcher/embedded';
import { startProcesses } from '@walletgraph/launcher/supervisor';
import { billerUrl, ConfigError, loadConfig } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { onShutdown } from '@walletgraph/platform/shutdown';
import { startTracing } from '@walletgraph/platform/tracing';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  throw error;
}
const logger = createLogger('walletgraph', config.LOG_LEVEL);
const started = Date.now();
// Real mode's services are processes of their own, each starting its tracing (scripts/serve.ts).
const tracing = config.mode === 'embedded' ? startTracing(config, 'walletgraph') : null;
try {
  const stack =
    config.mode === 'embedded'
      ? await startEmbedded(config, logger)
      : await startProcesses(config, logger, { onCrash: () => process.exit(1) });
  onShutdown(logger, [() => stack.stop(), async () => tracing?.shutdown()]);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`\nwalletgraph is ready (${config.mode} mode, ${seconds} s): ${stack.url}`);
  console.log(`the simulated biller answers at ${billerUrl(config)} (docs/biller.md)\n`);
} catch (err) {
  logger.fatal({ err }, 'walletgraph failed to start');
  process.exit(1);
}
