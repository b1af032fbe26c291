import type { Clock } from '@walletgraph/platform/clock';
import type { Database, Executor } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import type { Revocations } from '@walletgraph/platform/revocations';
import type { RequestContext } from '@walletgraph/platform/subgraph';
import type * as schema from './db/schema.ts';
import type { SignInThrottles } from './domain/throttle.ts';
import type { LiveFeedService } from './live-feed-service.ts';
import type { Mailer } from './mailer.ts';
import type { PasswordHasher } from './passwords.ts';
import type { SigningKeyStore } from './signing-keys.ts';
import type { AccessTokenSettings } from './tokens.ts';

export type IdentitySchema = typeof schema;
export type IdentityDatabase = Database<IdentitySchema>;
/** The database or a transaction on it. */
export type IdentityExecutor = Executor<IdentitySchema>;

/** The identity subgraph's long-lived services, built once per process (services.ts). */
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
  /** Each user's live feed: stored by `identity.live-feed`, read by the gateways (live-feed-service.ts). */
  liveFeed: LiveFeedService;
  logger: Logger;
  /** Stops the background jobs (the prune of old sign-in records) and closes the mailer. */
  stop(): Promise<void>;
}

/** What every identity resolver receives. */
export type IdentityContext = RequestContext<IdentitySchema, IdentityServices>;
