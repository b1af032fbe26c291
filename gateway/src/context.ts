import type { Viewer } from '@walletgraph/platform/auth/verifier';
import { CORRELATION_HEADER, type Logger } from '@walletgraph/platform/logger';
import { CLIENT_ADDRESS_HEADER } from '@walletgraph/platform/subgraph';
import { addressSubject } from './limits/client-address.ts';

/** What the gateway knows about one client request; the data sources read it to call subgraphs. */
export interface GatewayContext {
  /** The verified caller, or null for an anonymous request (register, login). */
  viewer: Viewer | null;
  /** The client's address (limits/client-address.ts): the socket peer, or as trusted proxies report it. */
  clientAddress: string;
  correlationId: string;
  logger: Logger;
  /**
   * The only headers passed on to subgraphs: the caller's own bearer token (each subgraph
   * verifies it again, docs/architecture.md §9), the correlation id and the client's address as the
   * gateway determined it. Nothing a client sends can reach a subgraph as a claimed user id.
   */
  forwardedHeaders: Readonly<Record<string, string>>;
}

/**
 * Builds a request's context from its already verified caller (authenticate.ts verifies the
 * token once per request, with the one platform verifier) and picks the headers to forward.
 */
export function buildGatewayContext(options: {
  viewer: Viewer | null;
  clientAddress: string;
  logger: Logger;
  correlationId: string;
}): GatewayContext {
  const { viewer, correlationId } = options;
  const forwardedHeaders: Record<string, string> = { [CORRELATION_HEADER]: correlationId };
  // Forward the token only once it verified: subgraphs then see exactly what the gateway saw.
  if (viewer) forwardedHeaders.authorization = `Bearer ${viewer.token}`;
  // Identity throttles sign-in per (account, address) and remembers the addresses an account
  // signs in from; it sees only the gateway's own address otherwise.
  forwardedHeaders[CLIENT_ADDRESS_HEADER] = addressSubject(options.clientAddress);
  return {
    viewer,
    clientAddress: options.clientAddress,
    correlationId,
    logger: options.logger.child({ correlationId, ...(viewer ? { userId: viewer.userId } : {}) }),
    forwardedHeaders,
  };
}
