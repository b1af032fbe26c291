import type { Logger } from './logger.ts';

/**
 * Runs the given steps in order on SIGTERM or SIGINT, then exits: drain HTTP first, then stop
 * relays and consumers, then close connections. A second signal, or steps that take longer
 * than `timeoutMs`, exit at once with status 1.
 */
export function onShutdown(
  logger: Logger,
  steps: Array<() => Promise<void>>,
  options: { timeoutMs?: number } = {},
): void {
  let stopping = false;
  const handler = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out');
      process.exit(1);
    }, options.timeoutMs ?? 15_000);
    timer.unref();
    let failed = false;
    for (const step of steps) {
      try {
        await step();
      } catch (err) {
        failed = true;
        logger.error({ err }, 'shutdown step failed');
      }
    }
    logger.info('stopped');
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
}
