import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { unauthenticated } from '../errors.ts';

/** The verified caller of a request: who they are, and the token that proves it. */
export interface Viewer {
  userId: string;
  /** The raw bearer token, forwarded when this request causes further requests. */
  token: string;
  expiresAt: Date;
}

/**
 * How long a verifier keeps identity's JWKS before fetching it again, whatever it is asked.
 * A rotated-in key is published at least this long before it signs (identity's
 * `DEFAULT_PUBLISH_AHEAD_SECONDS`), so no verifier meets it first in a token.
 */
export const JWKS_CACHE_MAX_AGE_MS = 10 * 60_000;
/** After a fetch, a token with an unknown key id is refused for this long rather than fetching again. */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;

export interface TokenVerifier {
  /** Verifies an access token; throws a DomainError UNAUTHENTICATED for any bad token. */
  verify(token: string): Promise<Viewer>;
}

export interface TokenVerifierOptions {
  /** Identity's JWKS document; refetched (rate limited) when a token names an unknown key id. */
  jwksUrl: string | URL;
  issuer: string;
  audience: string;
  /** Clock tolerance for exp/nbf, in seconds. */
  clockToleranceSeconds?: number;
  /** For tests: verify against given keys instead of fetching the JWKS. */
  keys?: JWTVerifyGetKey;
}

/**
 * The one access-token verifier, used by the gateway and by every subgraph (ARCHITECTURE.md §9):
 * EdDSA only (so `alg: none` and HMAC confusion are refused), issuer, audience, subject and
 * expiry required.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    });
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ['EdDSA'],
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: options.clockToleranceSeconds ?? 5,
        });
        if (typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw unauthenticated();
        return { userId: payload.sub, token, expiresAt: new Date(payload.exp * 1000) };
      } catch {
        throw unauthenticated();
      }
    },
  };
}

/** Reads a bearer token from an Authorization header value. */
export function bearerToken(header: string | string[] | undefined | null): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const match = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(value.trim());
  if (!match?.[1]) throw unauthenticated();
  return match[1];
}

/** The viewer of a request: null without an Authorization header, UNAUTHENTICATED with a bad one. */
export async function viewerFromAuthorization(
  verifier: TokenVerifier,
  header: string | string[] | undefined | null,
): Promise<Viewer | null> {
  const token = bearerToken(header);
  return token ? verifier.verify(token) : null;
}
