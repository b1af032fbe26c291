import type { RunningStack } from '@walletgraph/launcher/embedded';
import { type ServiceName, serveService } from '@walletgraph/launcher/serve';
import { subgraphNames } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import {
  cleanUpRealStack,
  closingMailOnFailure,
  realStackSettings,
  type TestStack,
  testStack,
} from './stack.ts';

/**
 * The real stack of startRealStack (Postgres, RabbitMQ, Redis, a subgraph per port and the
 * gateway calling them over HTTP), but every service in this process, as `scripts/serve.ts`
 * starts each in its own: for tests that observe the services from inside (the spans of one
 * trace, recorded by this process's tracer provider). Nothing to kill or restart.
 */
export async function startInProcessRealStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const { run, env, databases, mail, config } = await realStackSettings(overrides);
  const logger = createLogger('e2e-in-process', env.LOG_LEVEL);
  const started: RunningStack[] = [];
  const stopAll = async () => {
    // The gateway first (it was started last), then the subgraphs.
    for (const service of started.reverse()) await service.stop();
  };
  const starting = (async () => {
    try {
      for (const name of [...subgraphNames, 'gateway'] as ServiceName[]) {
        started.push(await serveService(name, config, logger));
      }
      return { url: started.at(-1)!.url, stop: stopAll };
    } catch (error) {
      await stopAll();
      await cleanUpRealStack(run, databases);
      throw error;
    }
  })();
  const stack = await closingMailOnFailure(mail, starting);
  const refuse = () => Promise.reject(new Error('an in-process stack has no processes to kill or restart'));
  return testStack(
    stack,
    mail,
    { config, databases, exchange: run, env, kill: refuse, restart: refuse, pids: () => ({}) },
    () => cleanUpRealStack(run, databases),
  );
}
