import { CloseCode } from 'graphql-ws';

/**
 * Why the gateway closes a live-updates socket, named once for the gateway and its clients.
 * graphql-ws's own codes keep graphql-ws's meaning; ours are in 4000–4399, where graphql-ws uses
 * only 4004 and 4005, so a client never mistakes one for a protocol error of graphql-ws's.
 */
export const closeCodes = {
  /**
   * graphql-ws's Unauthorized: the token in `connection_init` was missing or bad, it expired, or
   * its session was ended. Reconnect with a fresh token.
   */
  unauthorized: CloseCode.Unauthorized,
  /**
   * The user already holds `SUBSCRIPTIONS_PER_USER` sockets on this gateway process. Not retried
   * by the SDK: another attempt is refused the same way until one of them closes.
   */
  tooManyConnections: 4029,
} as const;
