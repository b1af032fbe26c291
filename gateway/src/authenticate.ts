import {
  type TokenVerifier,
  type Viewer,
  viewerFromAuthorization,
} from '@walletgraph/platform/auth/verifier';
import { DomainError } from '@walletgraph/platform/errors';
import type { Revocations } from '@walletgraph/platform/revocations';
import type { RequestHandler, Response } from 'express';

/** The outcome of verifying a request's bearer token. */
type Authentication = { verified: true; viewer: Viewer | null } | { verified: false; error: unknown };

/**
 * Verifies the request's bearer token once, before the per-user rate limit and the GraphQL
 * context, which both reuse the outcome: a user is only ever counted from a token that
 * verified. A bad token does not end the request here; the context turns it into the usual
 * 401 UNAUTHENTICATED (and the request still counts against its address). A token of a session
 * ended since it was issued (sign-out everywhere, a password change) is a bad token too.
 */
export function authenticate(
  verifier: TokenVerifier,
  revocations: Pick<Revocations, 'isRevoked'>,
): RequestHandler {
  return async (req, res, next) => {
    let authentication: Authentication;
    try {
      const viewer = await viewerFromAuthorization(verifier, req.headers.authorization);
      if (viewer && revocations.isRevoked(viewer.userId, viewer.issuedAt)) {
        throw new DomainError('UNAUTHENTICATED', 'the session was ended; sign in again');
      }
      authentication = { verified: true, viewer };
    } catch (error) {
      authentication = { verified: false, error };
    }
    res.locals.authentication = authentication;
    next();
  };
}

/**
 * The request's verified caller: null for an anonymous request; throws the verification
 * failure (a DomainError UNAUTHENTICATED) for a bad token.
 */
export function viewerOf(res: Response): Viewer | null {
  const authentication = authenticationOf(res);
  if (!authentication.verified) throw authentication.error;
  return authentication.viewer;
}

/** The id of the caller when their token verified; null for anonymous requests and bad tokens. */
export function verifiedUserIdOf(res: Response): string | null {
  const authentication = authenticationOf(res);
  return authentication.verified ? (authentication.viewer?.userId ?? null) : null;
}

function authenticationOf(res: Response): Authentication {
  const authentication = res.locals.authentication as Authentication | undefined;
  if (!authentication) throw new Error('authenticate() must run before this middleware');
  return authentication;
}
