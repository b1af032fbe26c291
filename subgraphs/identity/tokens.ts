import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeyStore } from './signing-keys.ts';

/** What every access token carries besides its subject (platform/src/config.ts). */
export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface IssuedAccessToken {
  token: string;
  expiresAt: Date;
}

/**
 * Signs an access token for a user with the current key: EdDSA, `kid` in the header, and the
 * claims the one verifier requires (`iss`, `aud`, `sub`, `iat`, `exp`) plus a unique `jti`,
 * and `iat_ms`, the issue time to the millisecond: a session ended within the same second as a
 * token was issued must still tell whether the token came before or after (revocations).
 */
export async function issueAccessToken(
  keys: SigningKeyStore,
  userId: string,
  now: Date,
  settings: AccessTokenSettings,
): Promise<IssuedAccessToken> {
  const key = await keys.signingKey();
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = issuedAt + settings.ttlSeconds;
  const token = await new SignJWT({ iat_ms: now.getTime() })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: 'JWT', kid: key.kid })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(expiresAt)
    .setJti(randomUUID())
    .sign(key.privateKey);
  return { token, expiresAt: new Date(expiresAt * 1000) };
}

/** A new refresh token: the secret the client keeps, and the hash the database keeps. */
export interface RefreshTokenSecret {
  token: string;
  hash: string;
}

// 32 random bytes in base64url, exactly as issued.
const refreshTokenShape = /^[A-Za-z0-9_-]{43}$/;

function sha256(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Generates an opaque refresh token: 256 random bits, so a plain SHA-256 (no salt, no
 * stretching) is enough to make a stolen table useless while keeping lookup by hash.
 */
export function newRefreshToken(): RefreshTokenSecret {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: sha256(token) };
}

/** The stored hash of a presented refresh token; null when it cannot be one this service issued. */
export function refreshTokenHash(token: string): string | null {
  return refreshTokenShape.test(token) ? sha256(token) : null;
}
