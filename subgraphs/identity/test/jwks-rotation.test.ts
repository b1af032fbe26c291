import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createTokenVerifier,
  JWKS_CACHE_MAX_AGE_MS,
  JWKS_REFETCH_COOLDOWN_MS,
  type TokenVerifier,
} from '@walletgraph/platform/auth/verifier';
import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PUBLISH_AHEAD_SECONDS, type SigningKeyStore } from '../signing-keys.ts';
import { issueAccessToken } from '../tokens.ts';
import { config, createIdentityHarness } from './harness.ts';

const userId = '0195f3a0-0000-7000-8000-0000000000bb';
const settings = {
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
};

/** Identity's JWKS over HTTP, as its route serves it (server.test.ts), counting the fetches. */
async function jwksEndpoint(keys: SigningKeyStore) {
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(keys.jwks()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    async [Symbol.asyncDispose]() {
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The one verifier as the gateway and every subgraph build it: fetching and caching the JWKS. */
const remoteVerifier = (jwksUrl: string): TokenVerifier =>
  createTokenVerifier({ jwksUrl, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });

/** Moves the time jose and identity read (only `Date`; I/O timers stay real). */
const elapse = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000);

const kidOf = (token: string) => decodeProtectedHeader(token).kid;

/**
 * Key rotation seen by the real remote verifier (jose `createRemoteJWKSet`) against identity's
 * real key store: how long the verifier trusts its cached JWKS, when a token with an unknown key
 * id makes it fetch again, and how long the retired key keeps verifying.
 */
describe('a verifier holding a cached JWKS when identity rotates its signing key', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fetches the JWKS once and verifies from its cache for JWKS_CACHE_MAX_AGE_MS, then fetches again', async () => {
    await using h = await createIdentityHarness();
    await using jwks = await jwksEndpoint(h.services.keys);
    const verifier = remoteVerifier(jwks.url);
    // A new token each time: the verifier remembers a token it verified, without any key.
    const token = async () => (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;

    await expect(verifier.verify(await token())).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(1);
    elapse(JWKS_CACHE_MAX_AGE_MS / 1000 - 1);
    await expect(verifier.verify(await token())).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(1);
    elapse(2);
    await expect(verifier.verify(await token())).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);
  });

  it('accepts a token of a key rotated in after its fetch: the unknown key id makes it fetch again, at most every 30 s', async () => {
    await using h = await createIdentityHarness();
    await using jwks = await jwksEndpoint(h.services.keys);
    const verifier = remoteVerifier(jwks.url);
    const old = (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;
    await expect(verifier.verify(old)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(1);

    // An emergency rotation: the new key signs at once, before any verifier has seen it.
    const { kid } = await h.services.keys.rotate({ publishAheadSeconds: 0 });
    const rotated = (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;
    expect(kidOf(rotated)).toBe(kid);
    expect(kidOf(old)).not.toBe(kid);

    await expect(verifier.verify(rotated)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(jwks.fetches()).toBe(1);
    elapse(JWKS_REFETCH_COOLDOWN_MS / 1000 + 1);
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);
  });

  it('keeps accepting tokens of the retired key, from the same fetched JWKS, until they expire', async () => {
    await using h = await createIdentityHarness();
    await using jwks = await jwksEndpoint(h.services.keys);
    const verifier = remoteVerifier(jwks.url);
    const old = await issueAccessToken(h.services.keys, userId, new Date(), settings);
    await expect(verifier.verify(old.token)).resolves.toMatchObject({ userId });

    await h.services.keys.rotate({ publishAheadSeconds: 0 });
    elapse(JWKS_REFETCH_COOLDOWN_MS / 1000 + 1);
    const rotated = await issueAccessToken(h.services.keys, userId, new Date(), settings);
    await expect(verifier.verify(rotated.token)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);
    await expect(verifier.verify(old.token)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);

    // The verifier tolerates 5 s of clock skew on `exp`.
    vi.setSystemTime(old.expiresAt.getTime() + 6_000);
    await expect(verifier.verify(old.token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(verifier.verify(rotated.token)).resolves.toMatchObject({ userId });
  });

  it('publishes a rotated-in key for longer than a verifier caches the JWKS before signing with it', async () => {
    await using h = await createIdentityHarness();
    await using jwks = await jwksEndpoint(h.services.keys);
    const verifier = remoteVerifier(jwks.url);
    const old = (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;
    await expect(verifier.verify(old)).resolves.toMatchObject({ userId });

    // The worst case: the verifier fetched just before the rotation.
    const { kid, activatesAt } = await h.services.keys.rotate();
    expect(activatesAt.getTime() - Date.now()).toBe(DEFAULT_PUBLISH_AHEAD_SECONDS * 1000);
    expect(DEFAULT_PUBLISH_AHEAD_SECONDS * 1000).toBeGreaterThan(JWKS_CACHE_MAX_AGE_MS + 60_000);
    elapse(JWKS_CACHE_MAX_AGE_MS / 1000 + 1);
    // Still signed with the old key (the new one is not active yet), and new to the verifier.
    const later = (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;
    expect(kidOf(later)).toBe(kidOf(old));
    await expect(verifier.verify(later)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);

    vi.setSystemTime(activatesAt);
    const rotated = (await issueAccessToken(h.services.keys, userId, new Date(), settings)).token;
    expect(kidOf(rotated)).toBe(kid);
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ userId });
    expect(jwks.fetches()).toBe(2);
  });
});
