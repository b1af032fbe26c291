import { afterAll, beforeAll } from 'vitest';
import { type BareGateway, startBareGateway } from './gateway.ts';
import { startIdentity, type TestIdentity } from './identity.ts';

/** The same bare gateway twice, so a test can compare what production hides with what development says. */
export interface ProductionAndDevelopment {
  /** NODE_ENV=production. */
  production: BareGateway;
  /** NODE_ENV left to the test run's. */
  development: BareGateway;
}

/**
 * For the test file: two bare gateways (gateway.ts) in front of one real identity subgraph (for
 * tokens), started before the file's tests and disposed after them, identity last. The objects
 * are filled in once started, so a file can name them at its top.
 */
export function useProductionAndDevelopment(): ProductionAndDevelopment {
  const production = {} as BareGateway;
  const development = {} as BareGateway;
  let identity: TestIdentity | undefined;
  beforeAll(async () => {
    identity = await startIdentity();
    const env = { IDENTITY_URL: identity.url, JWKS_URL: identity.jwksUrl };
    const started = await Promise.all([
      startBareGateway({ ...env, NODE_ENV: 'production' }),
      startBareGateway(env),
    ]);
    Object.assign(production, started[0]);
    Object.assign(development, started[1]);
  }, 120_000);
  afterAll(async () => {
    await production[Symbol.asyncDispose]?.();
    await development[Symbol.asyncDispose]?.();
    await identity?.[Symbol.asyncDispose]();
  }, 60_000);
  return { production, development };
}
