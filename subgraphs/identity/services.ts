import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import type { Config } from '@walletgraph/platform/config';
import type { Database, Executor } from '@walletgraph/platform/db/database';
import { opaqueId } from '@walletgraph/platform/ids';
import type { Logger } from '@walletgraph/platform/logger';
import type { Revocations } from '@walletgraph/platform/revocations';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import { type SignInThrottles, signInThrottles } from './domain/throttle.ts';
import { pruneSignInRecords } from './login-throttle.ts';
import { createMailer, type Mailer } from './mailer.ts';
import {
  createPasswordHasher,
  type HashingPool,
  type PasswordHasher,
  type ScryptParams,
} from './passwords.ts';
import { createSigningKeyStore, type SigningKeyStore, signingKeySealer } from './signing-keys.ts';
import type { AccessTokenSettings } from './tokens.ts';

export type IdentitySchema = typeof schema;
export type IdentityDatabase = Database<IdentitySchema>;
/** The database or a transaction on it. */
export type IdentityExecutor = Executor<IdentitySchema>;

/** The identity subgraph's long-lived services, built once per process. */
export interface IdentityServices {
  clock: Clock;
  /** Ids of internal rows (sessions, token families): UUIDv7. */
  newId: () => string;
  /** Ids of users, which other people see: `opaqueId`, no time in them. */
  newUserId: () => string;
  keys: SigningKeyStore;
  passwords: PasswordHasher;
  accessTokens: AccessTokenSettings;
  refreshTokenTtlSeconds: number;
  /** How password attempts are throttled (domain/throttle.ts). */
  throttles: SignInThrottles;
  /** Sends verification codes (mailer.ts), from the mailer consumer only. */
  mailer: Mailer;
  /** Where ended sessions are recorded for the gateways (platform revocations). */
  revocations: Revocations;
  logger: Logger;
  /** Stops the background jobs (the prune of old sign-in records) and closes the mailer. */
  stop(): Promise<void>;
}

/** What every identity resolver receives. */
export type IdentityContext = RequestContext<IdentitySchema, IdentityServices>;

export interface IdentityServicesDeps {
  config: Pick<
    Config,
    | 'JWT_ISSUER'
    | 'JWT_AUDIENCE'
    | 'ACCESS_TOKEN_TTL_SECONDS'
    | 'REFRESH_TOKEN_TTL_SECONDS'
    | 'LOGIN_FAILURES_PER_ACCOUNT'
    | 'SMTP_URL'
    | 'MAIL_FROM'
    | 'SIGNING_KEY_ENCRYPTION_KEY'
    | 'isProduction'
  >;
  db: IdentityDatabase;
  logger: Logger;
  revocations: Revocations;
}

/** Overrides for tests; production uses the defaults. */
export interface IdentityServicesOptions {
  /** Default `systemClock`. */
  clock?: Clock;
  /** Default OWASP parameters (passwords.ts). */
  scrypt?: ScryptParams;
  /** Default `signInThrottles`, with the account ceiling from LOGIN_FAILURES_PER_ACCOUNT. */
  throttles?: SignInThrottles;
  /** Default `defaultHashingPool` (passwords.ts). */
  hashingPool?: HashingPool;
  /** How often old attempts, addresses and refresh tokens are deleted; default 5 minutes. */
  pruneIntervalMs?: number;
  /** How often signing keys are reread; default 60 s. */
  keyReloadIntervalMs?: number;
}

/**
 * Builds the services: loads (or creates) the signing keys and precomputes the dummy password
 * hash, so the first sign-in costs what every later one does.
 */
export async function createIdentityServices(
  deps: IdentityServicesDeps,
  options: IdentityServicesOptions = {},
): Promise<IdentityServices> {
  const { config } = deps;
  const clock = options.clock ?? systemClock;
  // Before anything starts: production without the key refuses here.
  const sealer = signingKeySealer(config, deps.logger);
  const [keys, passwords, mailer] = await Promise.all([
    createSigningKeyStore({
      db: deps.db,
      clock,
      logger: deps.logger,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      sealer,
      ...(options.keyReloadIntervalMs ? { reloadIntervalMs: options.keyReloadIntervalMs } : {}),
    }),
    createPasswordHasher(options.scrypt, options.hashingPool),
    createMailer({
      smtpUrl: config.SMTP_URL,
      from: config.MAIL_FROM,
      isProduction: config.isProduction,
      logger: deps.logger,
    }),
  ]);
  const throttles = options.throttles ?? {
    ...signInThrottles,
    account: { ...signInThrottles.account, limit: config.LOGIN_FAILURES_PER_ACCOUNT },
  };
  // Every replica prunes; the deletes are idempotent, and a lost round is caught up by the next.
  const pruner = setInterval(
    () => {
      pruneSignInRecords(deps.db, throttles, clock.now()).catch((err: unknown) =>
        deps.logger.warn({ err }, 'could not prune old sign-in records; trying again later'),
      );
    },
    options.pruneIntervalMs ?? 5 * 60_000,
  );
  pruner.unref();
  return {
    clock,
    newId: uuidv7,
    newUserId: opaqueId,
    keys,
    passwords,
    accessTokens: {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    },
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    throttles,
    mailer,
    revocations: deps.revocations,
    logger: deps.logger,
    async stop() {
      clearInterval(pruner);
      keys.stop();
      await mailer.close();
    },
  };
}
