import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { unauthenticated } from '../errors.ts';

/** The verified caller of a request: who they are, and the token that proves it. */
export interface Viewer {
  userId: string;
  /** The raw bearer token, forwarded when this request causes further requests. */
  token: string;
  expiresAt: Date;
  /** When the token was issued (`iat`, to the ms): a session revoked after this no longer accepts it (revocations.ts). */
  issuedAt: Date;
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
  /** Verified tokens remembered until they expire (the oldest forgotten first). Default 10,000. */
  cacheSize?: number;
}

/**
 * The one access-token verifier, used by the gateway and by every subgraph (docs/architecture.md §9):
 * EdDSA only (so `alg: none` and HMAC confusion are refused), issuer, audience, subject and
 * expiry required.
 *
 * A token that verified is remembered, by its exact text, until it expires: a session sends the
 * same token with every request, and the gateway and the subgraph behind it each see it, so the
 * signature check (the costliest step of a small request) is done once per token and process.
 * Nothing a token says can change before it expires (access tokens are not revocable; a
 * rotated-out key leaves the tokens it signed valid until they expire), so the answer is the same.
 * Refusals are not remembered.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: JWKS_CACHE_MAX_AGE_MS,
    });
  const cacheSize = options.cacheSize ?? 10_000;
  const verified = new Map<string, Viewer>();
  return {
    async verify(token) {
      const known = verified.get(token);
      if (known) {
        if (known.expiresAt.getTime() > Date.now()) return known;
        verified.delete(token);
      }
      const viewer = await verifySignedToken(token);
      if (verified.size >= cacheSize) verified.delete(verified.keys().next().value!);
      verified.set(token, viewer);
      return viewer;
    },
  };

  async function verifySignedToken(token: string): Promise<Viewer> {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ['EdDSA'],
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: options.clockToleranceSeconds ?? 5,
      });
      if (
        typeof payload.sub !== 'string' ||
        typeof payload.exp !== 'number' ||
        typeof payload.iat !== 'number'
      )
        throw unauthenticated();
      return {
        userId: payload.sub,
        token,
        expiresAt: new Date(payload.exp * 1000),
        // identity's `iat_ms` when it is there and agrees with `iat` (revocations need the
        // millisecond); the whole second otherwise.
        issuedAt: new Date(
          typeof payload.iat_ms === 'number' && Math.floor(payload.iat_ms / 1000) === payload.iat
            ? payload.iat_ms
            : payload.iat * 1000,
        ),
      };
    } catch {
      throw unauthenticated();
    }
  }
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
