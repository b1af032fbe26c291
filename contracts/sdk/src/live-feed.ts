import type { ExecutionResult, GraphQLFormattedError } from 'graphql';
import type { Client as WsClient } from 'graphql-ws';
import { cursorOf } from './live-resume.ts';

/** What a live subscription yields: a result whose `extensions.cursor` is its place in the feed. */
export type LiveResult<TResult> = ExecutionResult<TResult, LiveExtensions>;

export interface LiveExtensions {
  /** The event's position in the subscriber's feed: pass it as `after` to resume after it. */
  cursor?: string;
  [key: string]: unknown;
}

/**
 * Why a live subscription ended with an error. `code` is the refusal's `extensions.code`
 * (`CURSOR_EXPIRED`, `BAD_USER_INPUT`, `RATE_LIMITED`, …), or `SOCKET_CLOSED` when the socket
 * closed and the client will not reconnect (`closeCode` says why: 4401 with no `renewToken` or
 * a failed renewal, 4029 past the connection cap, or the last close after `maxAttempts`).
 *
 * When `cursorRefused` is true (CURSOR_EXPIRED: older than the gateway keeps; BAD_USER_INPUT
 * for a cursor: not the caller's), events were missed that cannot be replayed: read the current
 * state again over HTTP and subscribe again without `after`.
 */
export class LiveFeedError extends Error {
  override readonly name = 'LiveFeedError';
  readonly code: string;
  /** The gateway's GraphQL errors; empty for SOCKET_CLOSED. */
  readonly errors: readonly GraphQLFormattedError[];
  /** The cursor the refused subscription carried as `after`, if any. */
  readonly cursor: string | undefined;
  /** The close code of the socket, for SOCKET_CLOSED. */
  readonly closeCode: number | undefined;

  constructor(
    message: string,
    details: {
      code: string;
      errors?: readonly GraphQLFormattedError[];
      cursor?: string | undefined;
      closeCode?: number | undefined;
      cause?: unknown;
    },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = details.code;
    this.errors = details.errors ?? [];
    this.cursor = details.cursor;
    this.closeCode = details.closeCode;
  }

  /** The subscription's cursor was refused: re-read state, then subscribe without one. */
  get cursorRefused(): boolean {
    return this.code === 'CURSOR_EXPIRED' || (this.code === 'BAD_USER_INPUT' && this.cursor !== undefined);
  }
}

export interface FeedOptions {
  ws: WsClient;
  query: string;
  variables: Record<string, unknown>;
  /** The variable that carries the cursor; undefined when the document cannot take one. */
  cursorVariable: string | undefined;
  /** The socket under the current attempt failed (a close, a socket error): reconnect. */
  troubled: (reason: unknown) => void;
  /** The feed ended, for good. */
  ended: (feed: Feed<unknown>) => void;
}

/**
 * One subscription as its consumer sees it: an ordered stream across reconnects. Each attempt
 * is one graphql-ws subscription sent with the last cursor received; the client detaches the
 * attempt when its socket goes (so graphql-ws never re-sends an old payload) and attaches a
 * new one once it reconnects.
 */
export class Feed<TResult> implements AsyncIterableIterator<LiveResult<TResult>> {
  #options: FeedOptions;
  #cursor: string | undefined;
  #queue: LiveResult<TResult>[] = [];
  #wake: (() => void) | undefined;
  #ending: { error?: unknown } | undefined;
  #stop: (() => void) | undefined;

  constructor(options: FeedOptions) {
    this.#options = options;
    const initial = options.cursorVariable ? options.variables[options.cursorVariable] : undefined;
    this.#cursor = typeof initial === 'string' ? initial : undefined;
  }

  /** Whether it has a cursor to start or resume after. */
  get positioned(): boolean {
    return this.#cursor !== undefined;
  }

  /** Starts after `cursor` (where the feed stood when the caller subscribed), unless it has one. */
  startAfter(cursor: string | undefined): void {
    this.#cursor ??= cursor;
  }

  /** Whether an attempt is subscribed (or subscribing) on the current socket. */
  get live(): boolean {
    return this.#stop !== undefined;
  }

  /**
   * Subscribes after the last cursor received (or the caller's own `after`): events received but
   * not consumed yet stay queued, so resuming after them neither loses nor repeats one.
   */
  attach(): void {
    if (this.#ending || this.#stop) return;
    const { ws, query, variables, cursorVariable, troubled } = this.#options;
    const cursor = this.#cursor;
    const resumed =
      cursorVariable && cursor !== undefined ? { ...variables, [cursorVariable]: cursor } : variables;
    let current = true;
    const stop = ws.subscribe<TResult, LiveExtensions>(
      { query, variables: resumed },
      {
        // Typed as before the SDK resumed (graphql's ExecutionResult); its errors are the JSON ones.
        next: (result) => current && this.#push(result as LiveResult<TResult>),
        error: (error) => {
          if (!current) return;
          if (Array.isArray(error)) this.fail(refusal(error as GraphQLFormattedError[], cursor));
          else troubled(error);
        },
        complete: () => current && this.finish(),
      },
    );
    this.#stop = () => {
      current = false;
      stop();
    };
  }

  /** Drops the current attempt, if any (its socket went); true when there was one. */
  detach(): boolean {
    const stop = this.#stop;
    this.#stop = undefined;
    stop?.();
    return stop !== undefined;
  }

  /** Ends the stream with `error` once the events already received are consumed. */
  fail(error: unknown): void {
    this.#end({ error });
  }

  /** Ends the stream once the events already received are consumed. */
  finish(): void {
    this.#end({});
  }

  async next(): Promise<IteratorResult<LiveResult<TResult>>> {
    for (;;) {
      const value = this.#queue.shift();
      if (value) return { done: false, value };
      const ending = this.#ending;
      if (ending) {
        if ('error' in ending) {
          this.#ending = {};
          throw ending.error;
        }
        return { done: true, value: undefined };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  async return(): Promise<IteratorResult<LiveResult<TResult>>> {
    this.#queue = [];
    this.finish();
    return { done: true, value: undefined };
  }

  async throw(): Promise<IteratorResult<LiveResult<TResult>>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #push(result: LiveResult<TResult>): void {
    this.#cursor = cursorOf(result) ?? this.#cursor;
    this.#queue.push(result);
    this.#wake?.();
  }

  #end(ending: { error?: unknown }): void {
    if (this.#ending) return;
    this.#ending = ending;
    this.detach();
    this.#options.ended(this as Feed<unknown>);
    this.#wake?.();
  }
}

function refusal(errors: readonly GraphQLFormattedError[], cursor: string | undefined): LiveFeedError {
  const coded = errors.find((error) => typeof error.extensions?.code === 'string');
  const code = (coded?.extensions?.code as string | undefined) ?? 'GRAPHQL_ERROR';
  return new LiveFeedError(errors.map((error) => error.message).join('; ') || code, { code, errors, cursor });
}
