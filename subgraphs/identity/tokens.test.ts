import { join } from 'node:path';
import { developmentSealer } from '@walletgraph/platform/auth/key-sealing';
import { createTokenVerifier } from '@walletgraph/platform/auth/verifier';
import { type DatabaseHandle, openDatabase } from '@walletgraph/platform/db/database';
import { createLogger } from '@walletgraph/platform/logger';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as schema from './db/schema.ts';
import { createSigningKeyStore, type SigningKeyStore } from './signing-keys.ts';
import { type MovableClock, movableClock } from './test/harness.ts';
import { issueAccessToken, newRefreshToken, refreshTokenHash } from './tokens.ts';

const settings = { issuer: 'walletgraph-identity', audience: 'walletgraph', ttlSeconds: 900 };
const userId = '0195f3a0-0000-7000-8000-0000000000aa';
const logger = createLogger('identity-test', 'silent');

function verifierFor(keys: SigningKeyStore) {
  return createTokenVerifier({
    jwksUrl: 'http://identity.invalid/.well-known/jwks.json',
    issuer: settings.issuer,
    audience: settings.audience,
    keys: createLocalJWKSet(keys.jwks()),
  });
}

// By hand, not useForSuite: a database handle closes with close(), it is not AsyncDisposable.
let db: DatabaseHandle<typeof schema>;
let clock: MovableClock;
let keys: SigningKeyStore;

beforeAll(async () => {
  // PGlite: the real Postgres engine in-process, with the subgraph's own migrations.
  db = await openDatabase({
    name: 'identity',
    schema,
    migrationsFolder: join(import.meta.dirname, 'db/migrations'),
    logger,
  });
});

afterAll(async () => {
  await db.close();
});

beforeEach(async () => {
  await db.db.delete(schema.signingKeys);
  clock = movableClock();
  keys = await createSigningKeyStore({
    db: db.db,
    clock,
    logger,
    accessTokenTtlSeconds: settings.ttlSeconds,
    sealer: developmentSealer,
  });
});

afterEach(() => {
  keys.stop();
});

describe('access tokens', () => {
  it('issues an EdDSA token with kid, iss, aud, sub, iat, exp and jti that the platform verifier accepts', async () => {
    const now = clock.now();
    const issued = await issueAccessToken(keys, userId, now, settings);
    const header = decodeProtectedHeader(issued.token);
    const claims = decodeJwt(issued.token);
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'JWT', kid: keys.jwks().keys[0]?.kid });
    expect(claims).toMatchObject({ iss: settings.issuer, aud: settings.audience, sub: userId });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    const viewer = await verifierFor(keys).verify(issued.token);
    expect(viewer).toEqual({
      userId,
      token: issued.token,
      expiresAt: issued.expiresAt,
      issuedAt: new Date(claims.iat_ms as number),
    });
  });

  it('publishes only public key material', () => {
    const [jwk] = keys.jwks().keys;
    expect(jwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
  });

  it('reuses the stored key on restart instead of creating another', async () => {
    const again = await createSigningKeyStore({
      db: db.db,
      clock,
      logger,
      accessTokenTtlSeconds: 900,
      sealer: developmentSealer,
    });
    again.stop();
    expect(again.jwks()).toEqual(keys.jwks());
  });

  it('refuses an unsigned (alg none) token', async () => {
    const unsigned = new UnsecuredJWT({})
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .encode();
    await expect(verifierFor(keys).verify(unsigned)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a token whose payload was altered after signing', async () => {
    const { token } = await issueAccessToken(keys, userId, clock.now(), settings);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(token), sub: 'someone-else' })).toString(
      'base64url',
    );
    await expect(verifierFor(keys).verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('refuses a token from another issuer, even signed with a published key', async () => {
    const { token } = await issueAccessToken(keys, userId, clock.now(), {
      ...settings,
      issuer: 'someone-else',
    });
    await expect(verifierFor(keys).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an expired token', async () => {
    const { token } = await issueAccessToken(keys, userId, new Date(Date.now() - 3600_000), settings);
    await expect(verifierFor(keys).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an HMAC token keyed with the public key (algorithm confusion)', async () => {
    const [jwk] = keys.jwks().keys;
    const secret = new TextEncoder().encode(JSON.stringify(jwk));
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', kid: jwk?.kid })
      .setIssuer(settings.issuer)
      .setAudience(settings.audience)
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(secret);
    await expect(verifierFor(keys).verify(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('signing key rotation', () => {
  it('signs with the new key at once and keeps tokens of the old key verifiable', async () => {
    const before = await issueAccessToken(keys, userId, clock.now(), settings);
    const { kid } = await keys.rotate({ publishAheadSeconds: 0 });
    const after = await issueAccessToken(keys, userId, clock.now(), settings);
    expect(decodeProtectedHeader(after.token).kid).toBe(kid);
    expect(decodeProtectedHeader(before.token).kid).not.toBe(kid);
    const verifier = verifierFor(keys);
    await expect(verifier.verify(before.token)).resolves.toMatchObject({ userId });
    await expect(verifier.verify(after.token)).resolves.toMatchObject({ userId });
  });

  it('publishes a rotated-in key before signing with it', async () => {
    const oldKid = keys.jwks().keys[0]?.kid;
    const { kid, activatesAt } = await keys.rotate({ publishAheadSeconds: 600 });
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, kid]));
    expect((await keys.signingKey()).kid).toBe(oldKid);
    clock.advance(600);
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(activatesAt.getTime());
    expect((await keys.signingKey()).kid).toBe(kid);
  });

  it('drops a retired key from the JWKS once every token it signed has expired', async () => {
    const old = await issueAccessToken(keys, userId, clock.now(), settings);
    const { kid } = await keys.rotate({ publishAheadSeconds: 0 });
    clock.advance(900 + 60 + 60);
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([kid]);
    await expect(verifierFor(keys).verify(old.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('lets another replica pick up a rotation on reload', async () => {
    const replica = await createSigningKeyStore({
      db: db.db,
      clock,
      logger,
      accessTokenTtlSeconds: 900,
      sealer: developmentSealer,
    });
    replica.stop();
    const { kid } = await keys.rotate({ publishAheadSeconds: 0 });
    expect(replica.jwks().keys.map((k) => k.kid)).not.toContain(kid);
    await replica.reload();
    expect(replica.jwks().keys.map((k) => k.kid)).toContain(kid);
    expect((await replica.signingKey()).kid).toBe(kid);
  });
});

describe('refresh tokens', () => {
  it('are 256 random bits in base64url, stored as their SHA-256', () => {
    const a = newRefreshToken();
    const b = newRefreshToken();
    expect(a.token).toMatch(/^[\w-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.hash).not.toContain(a.token);
    expect(refreshTokenHash(a.token)).toBe(a.hash);
  });

  it('are not looked up when they cannot be one this service issued', () => {
    expect(refreshTokenHash('')).toBeNull();
    expect(refreshTokenHash('x'.repeat(44))).toBeNull();
    expect(refreshTokenHash('not a token at all, with spaces....!')).toBeNull();
  });
});
