import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createTokenVerifier } from '@walletgraph/platform/auth/verifier';
import type { Clock } from '@walletgraph/platform/clock';
import { type DatabaseHandle, openDatabase } from '@walletgraph/platform/db/database';
import type { FeedEntry } from '@walletgraph/platform/live/feed';
import { createLogger } from '@walletgraph/platform/logger';
import { createPubSub, type FeedPublisher } from '@walletgraph/platform/pubsub';
import { createRevocations } from '@walletgraph/platform/revocations';
import { dropTestDatabase } from '@walletgraph/platform/test/support/infra';
import { testServices } from '@walletgraph/platform/test/support/services';
import { type ExecutionResult, operationRunner } from '@walletgraph/platform/test/support/subgraph-harness';
import { count } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { createLocalJWKSet } from 'jose';
import type { IdentityContext, IdentityServices } from '../context.ts';
import * as schema from '../db/schema.ts';
import type { ScryptParams } from '../passwords.ts';
import { identitySubgraph } from '../server.ts';
import { createIdentityServices, type IdentityServicesOptions } from '../services.ts';

export const PG_URL = testServices.postgres;

/** Cheap scrypt so a suite of sign-ins runs in seconds; passwords.test.ts covers the real cost. */
export const fastScrypt: ScryptParams = { N: 2 ** 10, r: 8, p: 1, keyLength: 64, saltLength: 16 };

export const config = {
  JWT_ISSUER: 'walletgraph-identity',
  JWT_AUDIENCE: 'walletgraph',
  ACCESS_TOKEN_TTL_SECONDS: 900,
  REFRESH_TOKEN_TTL_SECONDS: 30 * 24 * 3600,
  LOGIN_FAILURES_PER_ACCOUNT: 100,
  SMTP_URL: undefined,
  MAIL_FROM: 'walletgraph <no-reply@walletgraph.test>',
  /** A key of the tests' own: the harness seals signing keys as production does. */
  SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
  isProduction: false,
  LIVE_FEED_RETENTION_HOURS: 24,
  LIVE_FEED_RETENTION_EVENTS: 10_000,
  LIVE_FEED_PRUNE_INTERVAL_MS: 60_000,
};

/** Real time (jose checks `exp` against it) that a test can move forward. */
export interface MovableClock extends Clock {
  advance(seconds: number): void;
  /** Back to the real time. */
  reset(): void;
}

export function movableClock(): MovableClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance(seconds) {
      offsetMs += seconds * 1000;
    },
    reset() {
      offsetMs = 0;
    },
  };
}

export interface IdentityHarness extends AsyncDisposable {
  readonly db: DatabaseHandle<typeof schema>;
  readonly services: IdentityServices;
  readonly clock: MovableClock;
  /** The live feed entries the services published on their users' channels, oldest first. */
  readonly published: FeedEntry[];
  /**
   * Runs an operation as the holder of `token` (verified like every request), or anonymously;
   * `from` is the client address the gateway would pass on (none: a direct call).
   */
  execute(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
    from?: string,
  ): Promise<ExecutionResult>;
  /** Rows in a table. */
  count(table: PgTable): Promise<number>;
}

/**
 * The identity subgraph over a throwaway real Postgres database (`wg_identity_test_<random>`,
 * created and migrated like production does, dropped with its connections on dispose). Operations
 * run through the federated schema with `graphql()` and errors are formatted by the platform's
 * one formatter, so tests see exactly what a client would.
 */
export async function createIdentityHarness(
  options: Pick<IdentityServicesOptions, 'throttles' | 'hashingPool'> = {},
): Promise<IdentityHarness> {
  const logger = createLogger('identity-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const name = `wg_identity_test_${randomBytes(4).toString('hex')}`;
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const db = await openDatabase({
    name,
    schema,
    migrationsFolder: join(import.meta.dirname, '../db/migrations'),
    logger,
    url: url.toString(),
  });
  const clock = movableClock();
  // In memory, as in embedded mode: nothing here reads them across processes.
  const revocations = createRevocations({
    pubsub: createPubSub({ logger }),
    prefix: name,
    tokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    logger,
  });
  const published: FeedEntry[] = [];
  const publisher: FeedPublisher = {
    async publish(entries) {
      published.push(...entries);
    },
  };
  const services = await createIdentityServices(
    { config, db: db.db, logger, revocations, publisher },
    { clock, scrypt: fastScrypt, ...options },
  );
  const gqlSchema = buildSubgraphSchema([
    { typeDefs: identitySubgraph.typeDefs, resolvers: identitySubgraph.resolvers },
  ]);
  const verifier = createTokenVerifier({
    jwksUrl: 'http://identity.invalid/.well-known/jwks.json',
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    // Read at each verification, so a rotation is seen at once.
    keys: (header, token) => createLocalJWKSet(services.keys.jwks())(header, token),
  });
  const run = operationRunner(gqlSchema, logger);

  return {
    db,
    services,
    clock,
    published,
    async execute(query, variables = {}, token, from) {
      const contextValue: IdentityContext = {
        db: db.db,
        viewer: token ? await verifier.verify(token) : null,
        logger,
        correlationId: `test-${randomBytes(4).toString('hex')}`,
        ...(from ? { clientAddress: from } : {}),
        services,
      };
      return run(query, variables, contextValue);
    },
    async count(table) {
      const [row] = await db.db.select({ n: count() }).from(table);
      return row?.n ?? 0;
    },
    async [Symbol.asyncDispose]() {
      await services.stop();
      await db.close();
      await dropTestDatabase(name);
    },
  };
}

export { type ExecutionResult, onlyError } from '@walletgraph/platform/test/support/subgraph-harness';

export const REGISTER = /* GraphQL */ `
  mutation Register($input: RegisterInput!) {
    register(input: $input) {
      accessToken
      refreshToken
      accessTokenExpiresAt
      user { id email displayName createdAt }
    }
  }
`;

export const LOGIN = /* GraphQL */ `
  mutation Login($input: LoginInput!) {
    login(input: $input) { accessToken refreshToken user { id email } }
  }
`;

export const REFRESH = /* GraphQL */ `
  mutation Refresh($token: String!) {
    refreshSession(refreshToken: $token) { accessToken refreshToken user { id } }
  }
`;

/** Registers a user and returns their session. */
export async function registerUser(
  h: IdentityHarness,
  input: { email: string; password?: string; displayName?: string; currency?: string },
  from?: string,
) {
  const result = await h.execute(
    REGISTER,
    { input: { password: 'analytical engine 1843', displayName: 'Ada Lovelace', ...input } },
    undefined,
    from,
  );
  if (result.errors.length > 0) throw new Error(`register failed: ${JSON.stringify(result.errors)}`);
  return result.data.register as {
    accessToken: string;
    refreshToken: string;
    user: { id: string; email: string; displayName: string };
  };
}
