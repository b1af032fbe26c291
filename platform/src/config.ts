import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { KEK_FORMAT, parseKek } from './auth/key-sealing.ts';

export const subgraphNames = ['identity', 'wallet', 'jars', 'transactions', 'ledger'] as const;
export type SubgraphName = (typeof subgraphNames)[number];

/** The processes that listen on a port of their own: the gateway, each subgraph and the simulated biller. */
export type ListenerName = SubgraphName | 'gateway' | 'biller';

export const defaultPorts: Record<ListenerName, number> = {
  gateway: 4000,
  identity: 4001,
  wallet: 4002,
  jars: 4003,
  transactions: 4004,
  ledger: 4005,
  biller: 4010,
};

const port = z.coerce.number().int().min(0).max(65_535);
const url = z.url();
const positiveInt = z.coerce.number().int().positive();
const msList = z
  .string()
  .regex(/^\d+(,\d+)*$/, 'a comma-separated list of milliseconds')
  .transform((s) => s.split(',').map(Number));
const originList = z
  .string()
  .regex(
    /^https?:\/\/[^\s,/]+(,https?:\/\/[^\s,/]+)*$/,
    'a comma-separated list of origins (scheme://host[:port])',
  )
  .transform((s) => s.split(','));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /**
   * Interface to listen on. Loopback by default: only the gateway applies limits, so subgraph
   * ports must never be reachable by clients (containers set 0.0.0.0 on a private network).
   */
  HOST: z.string().default('127.0.0.1'),
  /** Public host name used in the URLs printed and the defaults for subgraph URLs. */
  PUBLIC_HOST: z.string().default('localhost'),

  DATABASE_URL: url.optional(),
  IDENTITY_DATABASE_URL: url.optional(),
  WALLET_DATABASE_URL: url.optional(),
  JARS_DATABASE_URL: url.optional(),
  TRANSACTIONS_DATABASE_URL: url.optional(),
  LEDGER_DATABASE_URL: url.optional(),
  AMQP_URL: url.optional(),
  REDIS_URL: url.optional(),
  /** Where embedded mode keeps its PGlite databases; unset keeps them in memory. */
  EMBEDDED_DATA_DIR: z.string().optional(),

  GATEWAY_PORT: port.default(defaultPorts.gateway),
  IDENTITY_PORT: port.default(defaultPorts.identity),
  WALLET_PORT: port.default(defaultPorts.wallet),
  JARS_PORT: port.default(defaultPorts.jars),
  TRANSACTIONS_PORT: port.default(defaultPorts.transactions),
  LEDGER_PORT: port.default(defaultPorts.ledger),
  BILLER_PORT: port.default(defaultPorts.biller),
  /**
   * The gateway's Prometheus endpoint (`GET /metrics`, on HOST), apart from the public port so
   * that clients never read it; 0 takes any free port (tests). Embedded mode serves every metric
   * of its one process here, the subgraphs' included.
   */
  GATEWAY_METRICS_PORT: port.default(9464),
  /** Also serve `/metrics` on GATEWAY_PORT, for a setup that can scrape only the public port. */
  METRICS_ON_PUBLIC_PORT: z.stringbool().default(false),
  IDENTITY_URL: url.optional(),
  WALLET_URL: url.optional(),
  JARS_URL: url.optional(),
  TRANSACTIONS_URL: url.optional(),
  LEDGER_URL: url.optional(),
  /** Where the payment path reaches the biller; defaults to the simulated one on BILLER_PORT. */
  BILLER_URL: url.optional(),
  /** Simulated biller (docs/biller.md): delay added to every API answer. */
  BILLER_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** Simulated biller: share (0..1) of payments answered 503 without charging. */
  BILLER_FAILURE_RATE: z.coerce.number().min(0).max(1).default(0),
  /** Simulated biller: how long its hanging references hang; longer than any client's timeout. */
  BILLER_HANG_MS: z.coerce.number().int().min(0).default(30_000),

  JWT_ISSUER: z.string().default('walletgraph-identity'),
  JWT_AUDIENCE: z.string().default('walletgraph'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(30 * 24 * 3600),
  /** JWKS the gateway and subgraphs verify against; defaults to identity's own endpoint. */
  JWKS_URL: url.optional(),

  /** Largest JSON body the gateway accepts (express/body-parser syntax: `100kb`, `1mb`). */
  GATEWAY_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'a size such as 100kb or 1mb')
    .default('100kb'),
  /** Browser origins allowed to call the gateway (CORS allow-list). */
  CORS_ORIGINS: originList.default(['http://localhost:3000', 'https://studio.apollographql.com']),
  /** Gateway requests one client address may make per RATE_LIMIT_WINDOW_MS (IPv6: per /64). */
  RATE_LIMIT_PER_ADDRESS: positiveInt.default(300),
  /** Gateway requests one signed-in user may make per RATE_LIMIT_WINDOW_MS, from any address. */
  RATE_LIMIT_PER_USER: positiveInt.default(120),
  RATE_LIMIT_WINDOW_MS: positiveInt.default(60_000),
  /**
   * WebSocket upgrades one client address may make per RATE_LIMIT_WINDOW_MS, counted apart from
   * requests: each accepted socket costs a session, a token check and pings.
   */
  WS_UPGRADES_PER_ADDRESS: positiveInt.default(60),
  /** Failed sign-ins from one client address per LOGIN_FAILURE_WINDOW_MS before `login` is refused. */
  LOGIN_FAILURES_PER_ADDRESS: positiveInt.default(50),
  LOGIN_FAILURE_WINDOW_MS: positiveInt.default(15 * 60_000),
  /**
   * Identity's last-resort ceiling: failed sign-ins on one account per 15 minutes, from all
   * addresses together, before new addresses are refused (known ones never are).
   */
  LOGIN_FAILURES_PER_ACCOUNT: positiveInt.default(100),
  /** `register` attempts from one client address per REGISTRATION_WINDOW_MS before it is refused (RATE_LIMITED). */
  REGISTRATIONS_PER_ADDRESS: positiveInt.default(20),
  REGISTRATION_WINDOW_MS: positiveInt.default(60 * 60_000),
  /**
   * Reverse proxies in front of the gateway that append to X-Forwarded-For. 0 (the default)
   * ignores the header: the client address is the socket's peer, so no client can choose its own.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).default(0),
  /**
   * Where identity sends mail (verification codes): `smtp://user:pass@host:port`, or smtps://.
   * Required in production; without it elsewhere identity catches its own mail and logs it.
   */
  SMTP_URL: z.url().optional(),
  MAIL_FROM: z.string().min(3).default('walletgraph <no-reply@walletgraph.localhost>'),
  /**
   * The key that encrypts identity's private signing keys at rest (AES-256-GCM). Required in
   * production; elsewhere identity warns and uses a public development key.
   */
  SIGNING_KEY_ENCRYPTION_KEY: z
    .string()
    .refine((v) => parseKek(v) !== null, `must be ${KEK_FORMAT}`)
    .optional(),
  /**
   * A file holding SIGNING_KEY_ENCRYPTION_KEY instead (a mounted Kubernetes or Docker secret),
   * so the key need not be in the environment; read once at start. Set one of the two.
   */
  SIGNING_KEY_ENCRYPTION_KEY_FILE: z.string().optional(),
  /** Prefix of the gateway's counter keys in Redis; separates deployments (or test runs) sharing one Redis. */
  RATE_LIMIT_KEY_PREFIX: z.string().min(1).default('wg:rl:'),
  /**
   * Wallets one user may hold, archived ones included (they stay listed in `User.wallets`, so
   * opening and archiving in a loop must not grow it without bound); past it `openWallet` is
   * refused with WALLET_LIMIT_REACHED.
   */
  WALLETS_PER_USER: positiveInt.default(20),
  /**
   * How often each transactions replica tries a round of scheduled payments; one replica at a
   * time runs it (an advisory lock), so more replicas only stand by.
   */
  SCHEDULES_INTERVAL_MS: positiveInt.default(60_000),
  /** Failed runs in a row that pause a scheduled payment (its owner resumes it). */
  SCHEDULE_MAX_FAILURES: positiveInt.default(3),
  /**
   * How long each user's live feed keeps an event for resuming (`after:`), in hours, and at most
   * how many events per user it keeps: whichever is reached first. A cursor whose next event was
   * pruned is refused with CURSOR_EXPIRED.
   */
  LIVE_FEED_RETENTION_HOURS: positiveInt.default(24),
  LIVE_FEED_RETENTION_EVENTS: positiveInt.default(10_000),
  /** How often identity prunes the live feed to its retention. */
  LIVE_FEED_PRUNE_INTERVAL_MS: positiveInt.default(60_000),
  /** Open subscriptions one user may hold on one gateway process. */
  SUBSCRIPTIONS_PER_USER: positiveInt.default(20),
  /**
   * The query cost (gateway/src/plugins/cost-limit.ts) of the live events one user may receive
   * at once, refilled at this much per RATE_LIMIT_WINDOW_MS, shared by every gateway replica:
   * each event delivered costs its subscription's query cost. Past it, the subscription ends
   * with RATE_LIMITED and `retryAfterSeconds`. The default is what 50 requests of the largest
   * cost allowed (20,000) would read: about 140,000 events of a small selection a minute.
   */
  SUBSCRIPTION_COST_PER_USER: positiveInt.default(1_000_000),
  /**
   * Events a subscription holds for a client that reads slower than they come; past it, balance
   * events coalesce to the latest per wallet and other events wait in the live feed until it
   * has caught up.
   */
  SUBSCRIPTION_QUEUE_SIZE: positiveInt.default(64),
  /** How often the gateway pings each WebSocket; a client that has not answered the last ping is dropped. */
  SUBSCRIPTION_PING_MS: positiveInt.default(15_000),

  EVENTS_EXCHANGE: z.string().min(1).default('walletgraph'),
  /**
   * Connections in each subgraph's pool (real mode). Each process also holds a few dedicated
   * sessions (relay lease, LISTEN), so the six database-holding processes need about 6 × (pool + 3) server slots.
   */
  DATABASE_POOL_MAX: positiveInt.default(10),
  OUTBOX_BATCH_SIZE: positiveInt.default(200),
  OUTBOX_POLL_MS: positiveInt.default(1000),
  CONSUMER_PREFETCH: positiveInt.default(32),
  /**
   * OpenTelemetry traces (docs/tracing.md): the OTLP/HTTP collector's base URL (spans go to
   * `<url>/v1/traces`). Unset, tracing is off and costs nothing.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** The traces' service name; defaults to the process's service (gateway, ledger, …, walletgraph). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Delay before each retry of a failed message; its length is the number of retries. */
  CONSUMER_RETRY_DELAYS_MS: msList.default([1000, 5000, 30_000, 120_000]),
  /** Broker-side redelivery cap (quorum x-delivery-limit) for messages that crash a consumer. */
  CONSUMER_DELIVERY_LIMIT: positiveInt.default(10),
});

export type RawConfig = z.infer<typeof schema>;

export interface Config extends RawConfig {
  /** real: Postgres, RabbitMQ and Redis; embedded: PGlite, in-process bus, in-memory pubsub. */
  mode: 'real' | 'embedded';
  isProduction: boolean;
}

/** Thrown at start-up with every offending variable named. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads and validates configuration from the environment, failing fast with the names of the
 * variables that are wrong. Service URLs decide the mode: none set is embedded; all three set
 * is real; some but not all is an error (a half-real stack would hide misconfiguration).
 * Production also refuses the broker's and Redis's development credentials.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = withFileSecrets(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  const services = { DATABASE_URL: c.DATABASE_URL, AMQP_URL: c.AMQP_URL, REDIS_URL: c.REDIS_URL };
  const set = Object.entries(services).filter(([, v]) => v !== undefined);
  if (set.length > 0 && set.length < 3) {
    const missing = Object.entries(services)
      .filter(([, v]) => v === undefined)
      .map(([k]) => k);
    throw new ConfigError(
      `invalid configuration:\n  ${missing.join(', ')}: required when ${set.map(([k]) => k).join(', ')} is set ` +
        '(set all three for real mode, none for embedded mode)',
    );
  }
  const isProduction = c.NODE_ENV === 'production';
  const weak = isProduction ? developmentCredentials(c) : [];
  if (weak.length > 0) throw new ConfigError(`invalid configuration:\n  ${weak.join('\n  ')}`);
  return { ...c, mode: set.length === 3 ? 'real' : 'embedded', isProduction };
}

/** Secrets that may come from a file named by `<NAME>_FILE`, as a mounted secret does. */
const fileSecrets = ['SIGNING_KEY_ENCRYPTION_KEY'] as const;

/** `env` with each `<NAME>_FILE` secret read into `<NAME>` (trailing newline trimmed). */
function withFileSecrets(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of fileSecrets) {
    const path = env[`${name}_FILE`];
    if (path === undefined) continue;
    if (env[name] !== undefined) {
      throw new ConfigError(`invalid configuration:\n  ${name}, ${name}_FILE: set one, not both`);
    }
    try {
      out[name] = readFileSync(path, 'utf8').trim();
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new ConfigError(`invalid configuration:\n  ${name}_FILE: cannot read ${path} (${reason})`);
    }
  }
  return out;
}

/**
 * What production refuses in the service URLs (never repeating them: they hold passwords).
 * Whoever can publish to the broker can post ledger commands, that is mint money; whoever
 * reaches Redis can lift session revocations and reset the rate-limit counters.
 */
function developmentCredentials(c: RawConfig): string[] {
  const found: string[] = [];
  if (c.AMQP_URL) {
    const u = new URL(c.AMQP_URL);
    const [user, password] = [decodeURIComponent(u.username), decodeURIComponent(u.password)];
    if (!user || !password) {
      found.push(
        'AMQP_URL: needs a user and password in production (without them the client signs in as ' +
          'guest/guest); whoever can publish to the broker can post ledger commands, i.e. mint money',
      );
    } else if (user === 'guest' && password === 'guest') {
      found.push(
        "AMQP_URL: guest/guest is refused in production (every RabbitMQ's default administrator); " +
          'whoever can publish to the broker can post ledger commands, i.e. mint money. Give each ' +
          'service its own user (docs/security.md)',
      );
    }
  }
  if (c.REDIS_URL && !new URL(c.REDIS_URL).password) {
    found.push(
      'REDIS_URL: needs a password in production (redis://:password@host or redis://user:password@host); ' +
        'whoever reaches Redis can lift session revocations and reset rate limits',
    );
  }
  return found;
}

/** The database URL for one subgraph: its own override, or `walletgraph_<name>` on DATABASE_URL's server. */
export function databaseUrl(config: Config, name: SubgraphName): string {
  const override = config[`${name.toUpperCase()}_DATABASE_URL` as `${Uppercase<SubgraphName>}_DATABASE_URL`];
  if (override) return override;
  if (!config.DATABASE_URL) throw new ConfigError(`DATABASE_URL: required for the ${name} database`);
  const u = new URL(config.DATABASE_URL);
  u.pathname = `/walletgraph_${name}`;
  return u.toString();
}

export function portOf(config: Config, name: ListenerName): number {
  return config[`${name.toUpperCase()}_PORT` as `${Uppercase<ListenerName>}_PORT`];
}

/** The biller's base URL as the payment path reaches it. */
export function billerUrl(config: Config): string {
  return config.BILLER_URL ?? `http://127.0.0.1:${portOf(config, 'biller')}`;
}

/** The GraphQL URL of a subgraph as the gateway reaches it. */
export function subgraphUrl(config: Config, name: SubgraphName): string {
  return (
    config[`${name.toUpperCase()}_URL` as `${Uppercase<SubgraphName>}_URL`] ??
    `http://${config.PUBLIC_HOST}:${portOf(config, name)}/graphql`
  );
}

export function jwksUrl(config: Config): string {
  return config.JWKS_URL ?? new URL('/.well-known/jwks.json', subgraphUrl(config, 'identity')).toString();
}
