import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Config, portOf, subgraphNames } from '@walletgraph/platform/config';
import type { Logger } from '@walletgraph/platform/logger';
import type { RunningStack } from './embedded.ts';
import type { ServiceName } from './serve.ts';

const serveScript = join(import.meta.dirname, '../../scripts/serve.ts');

export interface SupervisorOptions {
  /** How long each service may take to become ready. */
  readyTimeoutMs?: number;
  /** Called when a service exits on its own; the supervisor has already stopped the others. */
  onCrash?: (name: ServiceName, code: number | null) => void;
  /** Extra environment for the children (tests use it for isolated databases and ports). */
  env?: Record<string, string>;
  /** How long a service may take to shut down after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

/** Real mode as the supervisor runs it; tests may also kill and restart one service. */
export interface SupervisedStack extends RunningStack {
  /**
   * Sends `signal` to one service and resolves once it has exited. The exit is expected: the
   * supervisor neither stops the others nor calls `onCrash`, and `stop()` does not count it
   * as an unclean shutdown.
   */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a service again (after `kill`) and resolves once its `/readyz` answers 200. */
  restart(name: ServiceName): Promise<void>;
  /** The process id of each running service (the bench reads their CPU time from /proc). */
  pids(): Partial<Record<ServiceName, number>>;
}

/**
 * Real mode from one command: the five subgraphs and the simulated biller, and then the gateway,
 * each as its own process (`node scripts/serve.ts <name>`), each awaited on `/readyz` before the next step.
 * If one exits, the others are stopped: a half-running supergraph is worse than none.
 */
export async function startProcesses(
  config: Config,
  logger: Logger,
  options: SupervisorOptions = {},
): Promise<SupervisedStack> {
  const children = new Map<ServiceName, ChildProcess>();
  /** Children killed on purpose (`kill`): their exit is neither a crash nor an unclean shutdown. */
  const expectExit = new WeakSet<ChildProcess>();
  let stopping = false;

  /**
   * SIGTERM to every service, SIGKILL after `stopTimeoutMs`. Rejects when any service did not
   * shut down cleanly (non-zero exit or killed), so a broken graceful shutdown is noticed.
   */
  const stopAll = async () => {
    stopping = true;
    const outcomes = await Promise.all(
      [...children.entries()].map(
        ([name, child]) =>
          new Promise<string | null>((resolve) => {
            const verdict = () =>
              child.exitCode === 0 || expectExit.has(child)
                ? null
                : `${name} exited with ${child.exitCode ?? child.signalCode}`;
            if (child.exitCode !== null || child.signalCode !== null) return resolve(verdict());
            child.once('exit', () => resolve(verdict()));
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 20_000).unref();
          }),
      ),
    );
    const failures = outcomes.filter((o): o is string => o !== null);
    if (failures.length > 0) throw new Error(`unclean shutdown: ${failures.join(', ')}`);
  };

  const launch = (name: ServiceName) => {
    const child = spawn(process.execPath, [serveScript, name], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, ...options.env },
      // Own process group: a Ctrl-C in the terminal reaches the supervisor only, which stops
      // each service exactly once (a second signal would make a service exit at once).
      detached: true,
    });
    children.set(name, child);
    child.once('exit', (code) => {
      if (stopping || expectExit.has(child)) return;
      logger.error({ service: name, code }, 'service exited; stopping the others');
      void stopAll()
        .catch((err) => logger.error({ err }, 'stopping the other services'))
        .finally(() => options.onCrash?.(name, code));
    });
  };

  // Should the supervisor itself exit, its services go with it.
  const orphanGuard = () => {
    for (const child of children.values()) if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', orphanGuard);

  try {
    const backends: ServiceName[] = [...subgraphNames, 'biller'];
    for (const name of backends) launch(name);
    await Promise.all(backends.map((name) => waitReady(name, config, options.readyTimeoutMs)));
    launch('gateway');
    await waitReady('gateway', config, options.readyTimeoutMs);
  } catch (error) {
    await stopAll().catch((err) => logger.error({ err }, 'stopping the services started so far'));
    throw error;
  }

  const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

  const kill = async (name: ServiceName, signal: NodeJS.Signals = 'SIGKILL') => {
    const child = children.get(name);
    if (!child) throw new Error(`no ${name} service to kill`);
    if (stopping) throw new Error(`cannot kill ${name}: the stack is stopping`);
    expectExit.add(child);
    if (exited(child)) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  };

  const restart = async (name: ServiceName) => {
    const child = children.get(name);
    if (stopping) throw new Error(`cannot restart ${name}: the stack is stopping`);
    if (child && !exited(child)) throw new Error(`${name} is still running; kill it first`);
    launch(name);
    await waitReady(name, config, options.readyTimeoutMs);
  };

  const pids = () =>
    Object.fromEntries(
      [...children].flatMap(([name, child]) => (child.pid && !exited(child) ? [[name, child.pid]] : [])),
    );

  return { url: `http://localhost:${portOf(config, 'gateway')}/graphql`, stop: stopAll, kill, restart, pids };
}

/** Polls a service's /readyz until it answers 200, failing after the timeout with its last answer. */
export async function waitReady(name: ServiceName, config: Config, timeoutMs = 60_000): Promise<void> {
  const url = `http://127.0.0.1:${portOf(config, name)}/readyz`;
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.ok) return;
      last = `${res.status} ${await res.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} was not ready within ${timeoutMs} ms (${url}: ${last})`);
}
