import { uuidv7 } from '@walletgraph/events';
import { type Clock, systemClock } from '@walletgraph/platform/clock';
import type { Config } from '@walletgraph/platform/config';
import { opaqueId } from '@walletgraph/platform/ids';
import type { Logger } from '@walletgraph/platform/logger';
import type { FeedPublisher } from '@walletgraph/platform/pubsub';
import type { Revocations } from '@walletgraph/platform/revocations';
import type { IdentityDatabase, IdentityServices } from './context.ts';
import { type SignInThrottles, signInThrottles } from './domain/throttle.ts';
import { createLiveFeedService } from './live-feed-service.ts';
import { createMailer } from './mailer.ts';
import { createPasswordHasher, type HashingPool, type ScryptParams } from './passwords.ts';
import { pruneSignInRecords } from './prune-sign-in-records.ts';
import { signingKeySealer } from './signing-key-sealing.ts';
import { createSigningKeyStore } from './signing-keys.ts';

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
    | 'LIVE_FEED_RETENTION_HOURS'
    | 'LIVE_FEED_RETENTION_EVENTS'
    | 'LIVE_FEED_PRUNE_INTERVAL_MS'
  >;
  db: IdentityDatabase;
  logger: Logger;
  revocations: Revocations;
  /** Publishes the live feed's stored entries to the gateways. */
  publisher: FeedPublisher;
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
  const liveFeed = createLiveFeedService({
    db: deps.db,
    publisher: deps.publisher,
    logger: deps.logger,
    retention: { hours: config.LIVE_FEED_RETENTION_HOURS, events: config.LIVE_FEED_RETENTION_EVENTS },
    pruneIntervalMs: config.LIVE_FEED_PRUNE_INTERVAL_MS,
    now: () => clock.now(),
  });
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
    liveFeed,
    logger: deps.logger,
    async stop() {
      clearInterval(pruner);
      liveFeed.stop();
      keys.stop();
      await mailer.close();
    },
  };
}
