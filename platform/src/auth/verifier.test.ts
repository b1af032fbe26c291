import { exportJWK, generateKeyPair, importJWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier } from './verifier.ts';

const issuer = 'walletgraph-identity';
const audience = 'walletgraph';

describe('the token verifier', () => {
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  let lookups = 0;
  let keys: JWTVerifyGetKey;

  beforeAll(async () => {
    const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    privateKey = pair.privateKey;
    const publicKey = await importJWK(await exportJWK(pair.publicKey), 'EdDSA');
    // Counts every signature check: jose resolves the key once per verification.
    keys = async () => {
      lookups++;
      return publicKey;
    };
  });

  const sign = (sub: string, expiresInSeconds = 600) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'k1' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(sub)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(privateKey);

  const verifier = (cacheSize?: number) =>
    createTokenVerifier({
      jwksUrl: 'http://identity.invalid/.well-known/jwks.json',
      issuer,
      audience,
      keys,
      ...(cacheSize ? { cacheSize } : {}),
    });

  it('checks the signature of a token once, and answers the same viewer for it after', async () => {
    const v = verifier();
    const token = await sign('user-1');
    const before = lookups;
    const first = await v.verify(token);
    const second = await v.verify(token);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ userId: 'user-1', token });
    expect(lookups - before).toBe(1);
  });

  it('still refuses an altered token after the genuine one was remembered', async () => {
    const v = verifier();
    const token = await sign('user-2');
    await v.verify(token);
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), sub: 'someone-else' }),
    ).toString('base64url');
    await expect(v.verify(`${header}.${forged}.${signature}`)).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('forgets a token once it has expired, and refuses it then', async () => {
    const v = verifier();
    // Expired beyond the clock tolerance from the start: verified (and refused) every time.
    const stale = await sign('user-3', -60);
    await expect(v.verify(stale)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const before = lookups;
    await expect(v.verify(stale)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(lookups - before).toBe(1);
  });

  it('remembers at most cacheSize tokens, forgetting the oldest first', async () => {
    const v = verifier(2);
    const [a, b, c] = await Promise.all([sign('a'), sign('b'), sign('c')]);
    for (const t of [a, b, c]) await v.verify(t);
    const before = lookups;
    await v.verify(c);
    await v.verify(b);
    expect(lookups - before).toBe(0);
    await v.verify(a);
    expect(lookups - before).toBe(1);
  });
});
