import { CloseCode } from 'graphql-ws';
import { closeCodes } from './close-codes.ts';

/** How the live client reconnects after its socket dropped (see `createLiveClient`). */
export interface ReconnectOptions {
  /** The delay cap of the first reconnect; each further attempt doubles it. Default 1 000 ms. */
  initialDelayMs?: number;
  /** No delay cap grows past this. Default 30 000 ms. */
  maxDelayMs?: number;
  /**
   * Attempts in a row (none of them acknowledged by the server) before the client gives up and
   * ends every subscription with a `LiveFeedError` `SOCKET_CLOSED`. Default 10; 0 never reconnects.
   */
  maxAttempts?: number;
}

export const reconnectDefaults: Required<ReconnectOptions> = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxAttempts: 10,
};

/**
 * The wait before reconnect `attempt` (1 for the first): capped exponential backoff with full
 * jitter, uniformly in [0, min(maxDelayMs, initialDelayMs · 2^(attempt − 1))), so that clients
 * dropped together by one gateway do not all come back at the same instant.
 */
export function backoffDelay(
  attempt: number,
  options: Pick<Required<ReconnectOptions>, 'initialDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Close codes another attempt meets again: graphql-ws's own fatal ones (a protocol error, a bad
 * request, 4401 — the live client renews the token itself before reconnecting after one) and
 * ours past the user's connection cap. Anything else (a dropped socket, a restarting gateway,
 * a timeout) is worth a reconnect.
 */
const refusedAgain = new Set<number>([
  CloseCode.InternalServerError,
  CloseCode.InternalClientError,
  CloseCode.BadRequest,
  CloseCode.BadResponse,
  CloseCode.Unauthorized,
  CloseCode.SubprotocolNotAcceptable,
  CloseCode.SubscriberAlreadyExists,
  CloseCode.TooManyInitialisationRequests,
  closeCodes.tooManyConnections,
]);

/** WebSocket codes in 1000–1999 that only say the socket went away (graphql-ws retries them too). */
const wentAway = new Set([1000, 1001, 1005, 1006, 1012, 1013, 1014]);

/** Whether a socket closed with `code` is worth reconnecting. */
export function reconnectsAfter(code: number): boolean {
  if (code >= 1000 && code <= 1999) return wentAway.has(code);
  return !refusedAgain.has(code);
}

/** The close code, when `reason` is a socket's close (graphql-ws hands on the CloseEvent). */
export function closeCodeOf(reason: unknown): number | undefined {
  const like = typeof reason === 'object' && reason !== null && 'code' in reason && 'reason' in reason;
  return like && typeof reason.code === 'number' ? reason.code : undefined;
}
