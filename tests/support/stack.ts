import { randomBytes } from 'node:crypto';
import { startEmbedded } from '@walletgraph/launcher/embedded';
import type { ServiceName } from '@walletgraph/launcher/serve';
import { startProcesses } from '@walletgraph/launcher/supervisor';
import { type Config, loadConfig, subgraphNames } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { type MailCatcher, startMailCatcher } from '@walletgraph/platform/mail-catcher';
import { deleteAmqpObjects } from '@walletgraph/platform/test/support/infra';
import { testDatabaseUrl, testServices } from '@walletgraph/platform/test/support/services';
import postgres from 'postgres';
import { freePort } from './ports.ts';

export interface TestStack extends AsyncDisposable {
  /** The gateway's GraphQL URL. */
  url: string;
  /** The SMTP server identity mails to (SMTP_URL): each person's inbox, codes included. */
  mail: MailCatcher;
  config: Config;
  /** Per-subgraph database URLs (real mode). */
  databases: Record<string, string>;
  /** The run's isolated exchange (queue names are prefixed by it too). */
  exchange: string;
  /**
   * The settings its services run with, over process.env's: what a command run beside them (as
   * an operator runs `pnpm schedules:run`) needs to reach the same databases, biller and broker.
   */
  env: Record<string, string>;
  /**
   * Kills one service of a real stack (SIGKILL unless told) and resolves once it has exited; the
   * others keep running. Embedded stacks refuse.
   */
  kill(name: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a killed service again and resolves once it is ready. Embedded stacks refuse. */
  restart(name: ServiceName): Promise<void>;
  /** The process id of each running service of a real stack; embedded stacks answer `{}`. */
  pids(): Partial<Record<ServiceName, number>>;
}

/** Short retry delays and a fast poll so tests observe retries and relays quickly. */
const fastMessaging = { OUTBOX_POLL_MS: '200', CONSUMER_RETRY_DELAYS_MS: '100,300,900' };

/**
 * Request limits far above what tests and the bench send from their one address (they poll
 * every few milliseconds); the limits still run, and have their own tests (tests/gateway/limits).
 */
const roomyRateLimits = {
  RATE_LIMIT_PER_ADDRESS: '1000000',
  RATE_LIMIT_PER_USER: '1000000',
  REGISTRATIONS_PER_ADDRESS: '1000000',
  WS_UPGRADES_PER_ADDRESS: '1000000',
};

async function ports(): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    GATEWAY_PORT: String(await freePort()),
    // Every gateway its own metrics port: stacks run side by side, and 9464 may be in use.
    GATEWAY_METRICS_PORT: String(await freePort()),
  };
  for (const name of subgraphNames) env[`${name.toUpperCase()}_PORT`] = String(await freePort());
  env.BILLER_PORT = String(await freePort());
  return env;
}

/**
 * The whole supergraph in real mode, as `pnpm start` runs it: five subgraph processes and the
 * gateway against the local Postgres, RabbitMQ and Redis — isolated from other runs by its own
 * databases, exchange, queues, ports and Redis counter keys. Disposing it stops the processes and
 * drops the databases. `overrides` replace any setting.
 */
export async function startRealStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const { run, env, databases, mail, config } = await realStackSettings(overrides);
  const logger = createLogger('e2e', env.LOG_LEVEL);
  const stack = await closingMailOnFailure(mail, startProcesses(config, logger, { env }));
  return testStack(
    stack,
    mail,
    {
      config,
      databases,
      exchange: run,
      env,
      kill: (name, signal) => stack.kill(name, signal),
      restart: (name) => stack.restart(name),
      pids: () => stack.pids(),
    },
    () => cleanUpRealStack(run, databases),
  );
}

/**
 * What a real stack runs with (startRealStack): its run's name (the exchange, the prefix of its
 * databases and queues), settings, database URLs and mail catcher.
 */
export async function realStackSettings(overrides: Record<string, string> = {}) {
  const run = `wg_e2e_${randomBytes(4).toString('hex')}`;
  const databases: Record<string, string> = {};
  const mail = await startMailCatcher();
  const env: Record<string, string> = {
    ...(await ports()),
    SMTP_URL: mail.url,
    ...fastMessaging,
    ...roomyRateLimits,
    // Every run on this machine calls from 127.0.0.1: its own counters, so one run's failed
    // sign-ins cannot lock another run out.
    RATE_LIMIT_KEY_PREFIX: `wg:rl:${run}:`,
    DATABASE_URL: testServices.postgres,
    AMQP_URL: testServices.amqp,
    REDIS_URL: testServices.redis,
    EVENTS_EXCHANGE: run,
    // Small pools: two stacks run side by side on a Postgres with max_connections = 100.
    DATABASE_POOL_MAX: '4',
    // As pnpm start runs them (vitest's NODE_ENV=test would change Apollo's signal handling).
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    PUBLIC_HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  };
  for (const name of subgraphNames) {
    databases[name] = testDatabaseUrl(`${run}_${name}`);
    env[`${name.toUpperCase()}_DATABASE_URL`] = databases[name];
  }
  return { run, env, databases, mail, config: loadConfig(env) };
}

/** Drops a real stack's databases and deletes its exchange and queues. */
export async function cleanUpRealStack(run: string, databases: Record<string, string>): Promise<void> {
  await dropDatabases(Object.values(databases));
  await deleteAmqpObjects(run);
}

/**
 * The whole supergraph in embedded mode, in this process: PGlite, in-process bus, one port.
 * `overrides` replace any setting (tests of the limits set their own).
 */
export async function startEmbeddedStack(overrides: Record<string, string> = {}): Promise<TestStack> {
  const mail = await startMailCatcher();
  const env = {
    ...(await ports()),
    SMTP_URL: mail.url,
    ...fastMessaging,
    ...roomyRateLimits,
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...overrides,
  };
  const config = loadConfig(env);
  const stack = await closingMailOnFailure(
    mail,
    startEmbedded(config, createLogger('e2e-embedded', env.LOG_LEVEL)),
  );
  return testStack(stack, mail, {
    config,
    databases: {},
    exchange: '',
    env,
    kill: () => Promise.reject(new Error('an embedded stack runs in one process: nothing to kill')),
    restart: () => Promise.reject(new Error('an embedded stack runs in one process: nothing to restart')),
    pids: () => ({}),
  });
}

/** The stack `starting` resolves to; when it fails to start, the mail catcher started for it is closed. */
export async function closingMailOnFailure<T>(mail: MailCatcher, starting: Promise<T>): Promise<T> {
  try {
    return await starting;
  } catch (error) {
    await mail.close();
    throw error;
  }
}

/**
 * A started stack as tests hold it: its gateway dialled at 127.0.0.1, and disposed by stopping it,
 * then closing its mail catcher and running `cleanUp`, whether or not the stop succeeded.
 */
export function testStack(
  started: { url: string; stop(): Promise<void> },
  mail: MailCatcher,
  fields: Omit<TestStack, 'url' | 'mail' | typeof Symbol.asyncDispose>,
  cleanUp: () => Promise<void> = async () => {},
): TestStack {
  return {
    url: started.url.replace('localhost', '127.0.0.1'),
    mail,
    ...fields,
    async [Symbol.asyncDispose]() {
      try {
        await started.stop();
      } finally {
        await mail.close();
        await cleanUp();
      }
    },
  };
}

async function dropDatabases(urls: string[]): Promise<void> {
  const sql = postgres(testServices.postgres, { max: 1, onnotice: () => {} });
  try {
    for (const url of urls) {
      const name = new URL(url).pathname.slice(1);
      await sql.unsafe(`drop database if exists "${name}" with (force)`);
    }
  } finally {
    await sql.end();
  }
}
