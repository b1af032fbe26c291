import { randomBytes } from 'node:crypto';
import { serveService } from '@walletgraph/launcher/serve';
import { loadConfig } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { type MailCatcher, startMailCatcher } from '@walletgraph/platform/mail-catcher';
import { type AmqpBroker, createAmqpBroker } from '@walletgraph/platform/messaging/amqp-broker';
import { deleteAmqpObjects } from '@walletgraph/platform/test/support/infra';
import { testDatabaseUrl, testServices } from '@walletgraph/platform/test/support/services';
import postgres from 'postgres';
import { freePort } from './ports.ts';

export interface TestIdentity extends AsyncDisposable {
  /** Its GraphQL URL: a gateway's IDENTITY_URL. */
  url: string;
  /** Its JWKS: a gateway's JWKS_URL (a gateway without Postgres, RabbitMQ and Redis looks on its own port). */
  jwksUrl: string;
  /** Its own database, to inspect or break. */
  databaseUrl: string;
  /** Where it sends mail (SMTP_URL). */
  mail: MailCatcher;
  /** Its EVENTS_EXCHANGE, which also names its Redis keys (session revocations): a gateway beside it sets the same. */
  exchange: string;
}

/**
 * The real identity subgraph alone, as `pnpm serve identity` runs it (real mode: the local
 * Postgres, RabbitMQ and Redis), in this process, with its own database and exchange, both
 * removed on dispose. Enough for a gateway to register users and verify their tokens (its
 * IDENTITY_URL and JWKS_URL) when no other subgraph is needed. `env` replaces any setting.
 */
export async function startIdentity(env: Record<string, string> = {}): Promise<TestIdentity> {
  const run = `wg_identity_${randomBytes(4).toString('hex')}`;
  const databaseUrl = testDatabaseUrl(run);
  const mail = await startMailCatcher();
  const { NODE_ENV, ...settings } = env;
  const loaded = loadConfig({
    SMTP_URL: mail.url,
    // Its own, as production requires (identity seals its signing keys with it).
    SIGNING_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: testServices.postgres,
    AMQP_URL: testServices.amqp,
    REDIS_URL: testServices.redis,
    IDENTITY_DATABASE_URL: databaseUrl,
    EVENTS_EXCHANGE: run,
    IDENTITY_PORT: String(await freePort()),
    HOST: '127.0.0.1',
    PUBLIC_HOST: '127.0.0.1',
    DATABASE_POOL_MAX: '4',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...settings,
    ...(NODE_ENV === 'production' ? {} : { NODE_ENV }),
  });
  // The local broker and Redis have development credentials (guest/guest, no password), which
  // production's loadConfig refuses (platform/src/config.test.ts): production is set after it.
  const config =
    NODE_ENV === 'production' ? { ...loaded, NODE_ENV: 'production' as const, isProduction: true } : loaded;
  const service = await serveService(
    'identity',
    config,
    createLogger('test-identity', config.LOG_LEVEL),
  ).catch(async (error: unknown) => {
    await mail.close();
    throw error;
  });
  return {
    url: service.url,
    jwksUrl: new URL('/.well-known/jwks.json', service.url).toString(),
    databaseUrl,
    mail,
    exchange: run,
    async [Symbol.asyncDispose]() {
      try {
        await service.stop();
      } finally {
        await mail.close();
        const sql = postgres(testServices.postgres, { max: 1, onnotice: () => {} });
        try {
          await sql.unsafe(`drop database if exists "${run}" with (force)`);
        } finally {
          await sql.end();
        }
        await deleteAmqpObjects(run);
      }
    },
  };
}

/**
 * A broker on `identity`'s exchange, publishing as the other subgraphs would (a
 * `live.notices.v1` event for identity to store in a feed and publish). A fatal broker error
 * fails the test that holds it.
 */
export function brokerBeside(identity: TestIdentity, name: string): Promise<AmqpBroker> {
  return createAmqpBroker({
    url: testServices.amqp,
    exchange: identity.exchange,
    deliveryLimit: 5,
    logger: createLogger(name, 'silent'),
    onFatal: (error) => {
      throw error;
    },
  });
}
