/**
 * The real services every integration and end-to-end test runs against: this machine's on their
 * standard ports (as CI and `docker compose up -d postgres rabbitmq redis` provide them), or
 * TEST_DATABASE_URL / TEST_AMQP_URL / TEST_REDIS_URL. Unreachable means failed, never skipped.
 */
export const testServices = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  amqp: process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
};

/** The URL of another database on the test Postgres server. */
export function testDatabaseUrl(name: string): string {
  const url = new URL(testServices.postgres);
  url.pathname = `/${name}`;
  return url.toString();
}
