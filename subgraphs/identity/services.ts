import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import type { Config } from '@walletgraph/platform/config';
import type { Database, Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import { accountThrottle, type ThrottlePolicy } from './domain/throttle.ts';
import { createPasswordHasher, type PasswordHasher, type ScryptParams } from './passwords.ts';
import { createSigningKeyStore, type SigningKeyStore } from './signing-keys.ts';
import type { AccessTokenSettings } from './tokens.ts';

export type IdentitySchema = typeof schema;
export type IdentityDatabase = Database<IdentitySchema>;
/** The database or a transaction on it. */
export type IdentityExecutor = Executor<IdentitySchema>;

/** The identity subgraph's long-lived services, built once per process. */
export interface IdentityServices {
  clock: Clock;
  newId: () => string;
  keys: SigningKeyStore;
  passwords: PasswordHasher;
  accessTokens: AccessTokenSettings;
  refreshTokenTtlSeconds: number;
  /** Failed sign-ins allowed per account. */
  accountThrottle: ThrottlePolicy;
}

/** What every identity resolver receives. */
export type IdentityContext = RequestContext<IdentitySchema, IdentityServices>;

export interface IdentityServicesDeps {
  config: Pick<
    Config,
    'JWT_ISSUER' | 'JWT_AUDIENCE' | 'ACCESS_TOKEN_TTL_SECONDS' | 'REFRESH_TOKEN_TTL_SECONDS'
  >;
  db: IdentityDatabase;
  logger: Logger;
}

/** Overrides for tests; production uses the defaults. */
export interface IdentityServicesOptions {
  /** Default `systemClock`. */
  clock?: Clock;
  /** Default OWASP parameters (passwords.ts). */
  scrypt?: ScryptParams;
  /** Default 5 failures per 15 minutes. */
  accountThrottle?: ThrottlePolicy;
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
  const [keys, passwords] = await Promise.all([
    createSigningKeyStore({
      db: deps.db,
      clock,
      logger: deps.logger,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      ...(options.keyReloadIntervalMs ? { reloadIntervalMs: options.keyReloadIntervalMs } : {}),
    }),
    createPasswordHasher(options.scrypt),
  ]);
  return {
    clock,
    newId: uuidv7,
    keys,
    passwords,
    accessTokens: {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    },
    refreshTokenTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
    accountThrottle: options.accountThrottle ?? accountThrottle,
  };
}
