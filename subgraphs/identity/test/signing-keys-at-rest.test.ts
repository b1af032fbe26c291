import { randomBytes } from 'node:crypto';
import { developmentSealer } from '@walletgraph/platform/auth/key-sealing';
import { ConfigError } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { sql } from 'drizzle-orm';
import { createLocalJWKSet, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKeys } from '../db/schema.ts';
import { signingKeySealer } from '../signing-key-sealing.ts';
import { createSigningKeyStore, SIGNING_ALG, type SigningKeyStore } from '../signing-keys.ts';
import { issueAccessToken } from '../tokens.ts';
import { config, createIdentityHarness, type IdentityHarness } from './harness.ts';

/**
 * Private signing keys rest sealed under SIGNING_KEY_ENCRYPTION_KEY (AES-256-GCM): the identity
 * database alone no longer gives anyone the power to mint access tokens.
 */

const logger = createLogger('identity-test', 'silent');
const settings = { issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, ttlSeconds: 900 };
const userId = '0195f3a0-0000-7000-8000-0000000000cc';
const newKek = () => randomBytes(32).toString('hex');
const sealerOf = (key: string | undefined, isProduction = false) =>
  signingKeySealer({ SIGNING_KEY_ENCRYPTION_KEY: key, isProduction }, logger);

/** A key store over the harness's database, as a (re)started identity process builds it. */
async function storeWith(h: IdentityHarness, key: string | undefined) {
  const store = await createSigningKeyStore({
    db: h.db.db,
    clock: h.clock,
    logger,
    accessTokenTtlSeconds: 900,
    sealer: sealerOf(key),
  });
  store.stop();
  return store;
}

/** Every stored column of every signing key: what someone with the database reads. */
const storedRows = (h: IdentityHarness) => h.db.db.select().from(signingKeys);

const tokenOf = async (keys: SigningKeyStore) =>
  (await issueAccessToken(keys, userId, new Date(), settings)).token;

/** Verifies `token` against the JWKS `keys` publishes. */
const verify = (token: string, keys: SigningKeyStore) =>
  jwtVerify(token, createLocalJWKSet(keys.jwks()), { issuer: settings.issuer, audience: settings.audience });

describe('signing keys at rest', () => {
  it('stores no private key material: the row holds the key sealed, without its `d`', async () => {
    await using h = await createIdentityHarness();
    const [row] = await storedRows(h);
    expect(row?.privateJwk).toBeNull();
    expect(row?.sealedPrivateKey).toMatchObject({ v: 1, alg: 'A256GCM', kek: 'configured' });
    const { d } = JSON.parse(
      sealerOf(config.SIGNING_KEY_ENCRYPTION_KEY).open(row!.kid, row!.sealedPrivateKey!).toString(),
    ) as { d: string };
    expect(d).toMatch(/^[\w-]{43}$/);
    const text = JSON.stringify(row);
    expect(text).not.toContain(d);
    expect(text).not.toContain('"d"');
  });

  it('signs after a restart with the same key, and the tokens of before still verify', async () => {
    await using h = await createIdentityHarness();
    const before = await tokenOf(h.services.keys);
    const restarted = await storeWith(h, config.SIGNING_KEY_ENCRYPTION_KEY);
    expect(restarted.jwks()).toEqual(h.services.keys.jwks());
    await expect(verify(before, restarted)).resolves.toMatchObject({ payload: { sub: userId } });
    // Signed with the key it opened: the replica that never restarted verifies it.
    await expect(verify(await tokenOf(restarted), h.services.keys)).resolves.toMatchObject({
      payload: { sub: userId },
    });
  });

  it('refuses to start with another key, naming SIGNING_KEY_ENCRYPTION_KEY, rather than sign with garbage', async () => {
    await using h = await createIdentityHarness();
    const refusal = storeWith(h, newKek());
    await expect(refusal).rejects.toBeInstanceOf(ConfigError);
    await expect(refusal).rejects.toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY: signing key .* does not decrypt with it/,
    );
    // Nor without any key: the development key does not open what a configured one sealed.
    await expect(storeWith(h, undefined)).rejects.toThrow(/encrypted with a configured key, and none is set/);
  });

  it('refuses a sealed key moved onto another key id (the id is bound into the seal)', async () => {
    await using h = await createIdentityHarness();
    await h.services.keys.rotate({ publishAheadSeconds: 0 });
    const [a, b] = await h.db.db.select().from(signingKeys);
    await h.db.db
      .update(signingKeys)
      .set({ sealedPrivateKey: a?.sealedPrivateKey })
      .where(sql`${signingKeys.kid} = ${b?.kid}`);
    await expect(storeWith(h, config.SIGNING_KEY_ENCRYPTION_KEY)).rejects.toThrow(/does not decrypt/);
  });

  it('reads a key stored in plaintext by an earlier version, signs with it and seals it', async () => {
    await using h = await createIdentityHarness();
    await h.db.db.delete(signingKeys);
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, {
      crv: 'Ed25519',
      extractable: true,
    });
    const meta = { kid: 'legacy-key', alg: SIGNING_ALG, use: 'sig' };
    const privateJwk = { ...(await exportJWK(privateKey)), ...meta };
    // The row as 0004 and before wrote it.
    await h.db.db.execute(
      sql`insert into signing_keys (kid, private_jwk, public_jwk, activates_at)
          values ('legacy-key', ${JSON.stringify(privateJwk)}::jsonb,
                  ${JSON.stringify({ ...(await exportJWK(publicKey)), ...meta })}::jsonb, now() - interval '1 hour')`,
    );

    const store = await storeWith(h, config.SIGNING_KEY_ENCRYPTION_KEY);
    expect((await store.signingKey()).kid).toBe('legacy-key');
    await expect(verify(await tokenOf(store), store)).resolves.toMatchObject({
      protectedHeader: { kid: 'legacy-key' },
    });
    const [row] = await storedRows(h);
    expect(row).toMatchObject({
      kid: 'legacy-key',
      privateJwk: null,
      sealedPrivateKey: { kek: 'configured' },
    });
    expect(JSON.stringify(row)).not.toContain(privateJwk.d);
  });

  it('seals again with the configured key what was sealed with the public development key', async () => {
    await using h = await createIdentityHarness();
    await h.db.db.delete(signingKeys);
    const dev = await storeWith(h, undefined);
    const [devRow] = await h.db.db.select().from(signingKeys);
    expect(devRow?.sealedPrivateKey?.kek).toBe('development');
    expect(developmentSealer.open(devRow!.kid, devRow!.sealedPrivateKey!).length).toBeGreaterThan(0);

    const configured = await storeWith(h, config.SIGNING_KEY_ENCRYPTION_KEY);
    expect(configured.jwks()).toEqual(dev.jwks());
    const [row] = await h.db.db.select().from(signingKeys);
    expect(row?.sealedPrivateKey?.kek).toBe('configured');
    expect(() => developmentSealer.open(row!.kid, row!.sealedPrivateKey!)).toThrow();
    await expect(verify(await tokenOf(configured), dev)).resolves.toMatchObject({ payload: { sub: userId } });
  });
});

describe('SIGNING_KEY_ENCRYPTION_KEY', () => {
  it('is required in production, by name', () => {
    expect(() => sealerOf(undefined, true)).toThrow(ConfigError);
    expect(() => sealerOf(undefined, true)).toThrow(/^SIGNING_KEY_ENCRYPTION_KEY: required in production/);
  });

  it('outside production, its absence is said in a warning and the public development key stands in', () => {
    const warnings: string[] = [];
    const listening = createLogger('identity-test', 'warn');
    const warn = listening.warn.bind(listening);
    listening.warn = ((message: string) => {
      warnings.push(message);
    }) as typeof listening.warn;
    expect(signingKeySealer({ SIGNING_KEY_ENCRYPTION_KEY: undefined, isProduction: false }, listening)).toBe(
      developmentSealer,
    );
    listening.warn = warn;
    expect(warnings).toEqual([expect.stringMatching(/SIGNING_KEY_ENCRYPTION_KEY is not set/)]);
  });

  it('is 32 bytes, in hex or base64', () => {
    expect(sealerOf(newKek()).kek).toBe('configured');
    expect(sealerOf(randomBytes(32).toString('base64')).kek).toBe('configured');
    expect(() => sealerOf('correct horse battery staple')).toThrow(
      /SIGNING_KEY_ENCRYPTION_KEY: must be 32 bytes/,
    );
    expect(() => sealerOf(randomBytes(16).toString('hex'))).toThrow(ConfigError);
  });
});
