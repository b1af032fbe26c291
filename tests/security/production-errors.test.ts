import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareGateway, startBareGateway } from '../support/gateway.ts';
import { startIdentity, type TestIdentity } from '../support/identity.ts';
import { gql, newEmail, password, REGISTER } from './support.ts';

const ME = /* GraphQL */ '{ me { id email displayName } }';
const LOGIN = /* GraphQL */ `mutation ($input: LoginInput!) { login(input: $input) { accessToken } }`;

/** Registers someone at `url` (the gateway or identity's own port); their email and access token. */
async function registered(url: string): Promise<{ email: string; token: string }> {
  const email = newEmail('broken');
  const res = await gql(url, REGISTER, { input: { email, password, displayName: 'Ada', currency: 'EUR' } });
  if (res.status !== 200 || res.errors) throw new Error(`register: ${JSON.stringify(res)}`);
  return { email, token: res.data.register.accessToken };
}

/** Makes every query of identity's on its users fail unexpectedly: the table is gone. */
async function dropUsersTable(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('alter table users rename to users_gone');
  } finally {
    await sql.end();
  }
}

/** Everything a client gets of an unexpected failure in production: a code, and the field's path. */
const internalError = (field: string, data: unknown) => ({
  status: 200,
  data,
  errors: [
    { message: 'Internal server error', path: [field], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
  ],
});

/**
 * An unexpected failure (here a database query failing on a missing table) with the production
 * settings (NODE_ENV=production), at identity's own port and through the gateway: the client
 * learns that something failed and where in its operation, never the message, stack or SQL.
 */
describe('unexpected errors in production', () => {
  let identity: TestIdentity;
  let gateway: BareGateway;
  let ada: { email: string; token: string };
  // Not useRealStack(): it breaks identity's database, so identity and a bare gateway get their own.
  beforeAll(async () => {
    identity = await startIdentity({ NODE_ENV: 'production' });
    gateway = await startBareGateway({
      NODE_ENV: 'production',
      IDENTITY_URL: identity.url,
      JWKS_URL: identity.jwksUrl,
    });
    ada = await registered(gateway.url);
    await dropUsersTable(identity.databaseUrl);
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await identity?.[Symbol.asyncDispose]();
  });

  it('reach a client at a subgraph port as a bare INTERNAL_SERVER_ERROR', async () => {
    expect(await gql(identity.url, ME, {}, { token: ada.token })).toEqual(internalError('me', { me: null }));
    const login = await gql(identity.url, LOGIN, { input: { email: ada.email, password } });
    expect(login).toEqual(internalError('login', null));
  });

  it('reach a client through the gateway as a bare INTERNAL_SERVER_ERROR', async () => {
    expect(await gql(gateway.url, ME, {}, { token: ada.token })).toEqual(internalError('me', { me: null }));
    const login = await gql(gateway.url, LOGIN, { input: { email: ada.email, password } });
    expect(login).toEqual(internalError('login', null));
  });
});

describe('the same unexpected error outside production', () => {
  let identity: TestIdentity;
  let gateway: BareGateway;
  beforeAll(async () => {
    identity = await startIdentity({ NODE_ENV: 'development' });
    gateway = await startBareGateway({
      NODE_ENV: 'development',
      IDENTITY_URL: identity.url,
      JWKS_URL: identity.jwksUrl,
    });
  });
  afterAll(async () => {
    await gateway?.[Symbol.asyncDispose]();
    await identity?.[Symbol.asyncDispose]();
  });

  it('tells developers what failed, but never the SQL or its parameters', async () => {
    const ada = await registered(gateway.url);
    await dropUsersTable(identity.databaseUrl);
    for (const url of [identity.url, gateway.url]) {
      const res = await gql(url, ME, {}, { token: ada.token });
      expect(res.data, url).toEqual({ me: null });
      expect(res.errors, url).toMatchObject([
        {
          message: 'Internal server error: relation "users" does not exist',
          path: ['me'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
      ]);
      expect(Object.keys(res.errors?.[0]?.extensions ?? {}), url).toEqual(['code']);
      expect(JSON.stringify(res), url).not.toMatch(/select|Failed query|params/i);
    }
  });
});
