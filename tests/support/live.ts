import { feedChannel } from '@walletgraph/platform/live/feed';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import type { LiveClient } from '@walletgraph/sdk';
import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { SubscribePayload, Client as WsClient } from 'graphql-ws';
import type { Redis } from 'ioredis';
import { expect } from 'vitest';

/**
 * Helpers for live updates over graphql-ws in end-to-end tests: what a subscription received,
 * how it ended, and when the gateway is listening on a user's Redis channel.
 */

/** The user id an access token was issued to (its `sub`); the gateway picks channels by it. */
export function userIdOf(token: string): string {
  const [, payload] = token.split('.');
  return (JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

/**
 * Waits until `count` connections listen on the user's feed channel in Redis: every gateway
 * process that has a subscriber of theirs holds one. Only then is a subscription live; before,
 * it is still reading the feed it started from.
 */
export async function untilListening(redis: Redis, userId: string, count = 1): Promise<void> {
  const channel = feedChannel(userId);
  await waitFor(
    `${count} gateway connection(s) listening on ${channel}`,
    async () => {
      const [, listeners] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      return Number(listeners) >= count ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 25 },
  );
}

/**
 * A `next` payload as the gateway sends it, to compare with `toEqual`: `data`, and the event's
 * position in its subscriber's feed as `extensions.cursor` (opaque, base64url, never empty).
 */
export function delivered<T>(data: T): { data: T; extensions: { cursor: unknown } } {
  return { data, extensions: { cursor: expect.stringMatching(/^[\w-]+$/) } };
}

/** How a subscription ended: completed by the server, or refused with GraphQL errors. */
export type Ending = { kind: 'complete' } | { kind: 'errors'; errors: readonly GraphQLFormattedError[] };

export interface Watch<T = Record<string, unknown>> {
  /** Every event received so far, in order. */
  readonly events: ExecutionResult<T>[];
  /** Resolves when the server completes the subscription or refuses it. */
  readonly ended: Promise<Ending>;
  /** How it ended, set the moment the server said so; undefined while it is open. */
  readonly ending: Ending | undefined;
  /** Waits for the first event `match` accepts (every event, when omitted). */
  next(what: string, match?: (event: ExecutionResult<T>) => boolean): Promise<ExecutionResult<T>>;
  /** Completes the subscription from the client side (graphql-ws `complete` message). */
  stop(): void;
}

/** Subscribes with a raw payload (any document, aliases and variables as the client wrote them). */
export function watch<T = Record<string, unknown>>(ws: WsClient, payload: SubscribePayload): Watch<T> {
  const events: ExecutionResult<T>[] = [];
  let ending: Ending | undefined;
  let resolveEnded: (ending: Ending) => void = () => {};
  const ended = new Promise<Ending>((resolve) => {
    resolveEnded = resolve;
  });
  const end = (how: Ending) => {
    ending ??= how;
    resolveEnded(how);
  };
  const stop = ws.subscribe<T>(payload, {
    next: (event) => events.push(event as ExecutionResult<T>),
    error: (error) =>
      end(
        Array.isArray(error)
          ? { kind: 'errors', errors: error as GraphQLFormattedError[] }
          : {
              kind: 'errors',
              errors: [{ message: `socket: ${String((error as CloseEvent).code ?? error)}` }],
            },
      ),
    complete: () => end({ kind: 'complete' }),
  });
  return {
    events,
    ended,
    get ending() {
      return ending;
    },
    stop,
    next: (what, match = () => true) =>
      waitFor(what, async () => events.find(match), { timeoutMs: 30_000, intervalMs: 20 }),
  };
}

/** Resolves once the socket is open and the server acknowledged `connection_init`. */
export function connected(client: LiveClient | WsClient): Promise<void> {
  const ws = 'ws' in client ? client.ws : client;
  return new Promise((resolve) => {
    const off = ws.on('connected', () => {
      off();
      resolve();
    });
  });
}

/** Resolves with the close code and reason of the client's next socket close. */
export function closed(client: LiveClient | WsClient): Promise<{ code: number; reason: string }> {
  const ws = 'ws' in client ? client.ws : client;
  return new Promise((resolve) => {
    const off = ws.on('closed', (event) => {
      off();
      const { code, reason } = event as CloseEvent;
      resolve({ code, reason });
    });
  });
}
