import { feedCursor } from '@walletgraph/platform/live/feed';
import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
} from 'graphql';
import { positionOf } from './feed.ts';
import type { LiveMetrics } from './live-metrics.ts';

/**
 * graphql-js's `subscribe`, with each event's feed position as `extensions.cursor` on its `next`
 * payload (`feedCursor`, tied to the subscriber): the source stream's events are executed one by
 * one as `subscribe` does, and a stream that fails mid-way (the feed could not be read) answers
 * its error as a last payload, so the client resubscribes with the last cursor it got.
 *
 * A subscription refused before its first event (a cursor the feed no longer has, or not the
 * subscriber's) is thrown from the stream at once: graphql-ws answers it with an `error` message,
 * as it answers the refusals of `onSubscribe`, rather than a `next` followed by `complete`.
 *
 * An iterator, not an async generator: graphql-ws ends a subscription (`complete`, a socket that
 * closes) with `return()` while `next()` still waits for an event, and awaits it before it frees
 * the socket's place. A generator would queue that `return()` behind the wait (until the next
 * event, maybe never); this one ends the feed at once. The `next()` it ended is left waiting:
 * graphql-ws has let go of that id already, and its handler, were it to finish, would delete the
 * id's entry, which may by then be a new subscription the client opened under the same id.
 */
export async function subscribeWithCursors(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) {
    const [refusal] = stream.errors ?? [];
    if (!refusal) return stream;
    const refused: AsyncIterableIterator<ExecutionResult> = {
      next: () => Promise.reject(refusal),
      return: async () => ({ value: undefined, done: true }),
      [Symbol.asyncIterator]: () => refused,
    };
    return refused;
  }
  const { userId, live } = args.contextValue as { userId: string; live: LiveMetrics };
  const events = stream[Symbol.asyncIterator]();
  let ended = false;
  let returned = false;
  const end = async (): Promise<IteratorResult<ExecutionResult>> => {
    if (!ended) {
      ended = true;
      await events.return?.();
    }
    return { value: undefined, done: true };
  };
  const results: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      if (ended) return { value: undefined, done: true };
      let next: IteratorResult<unknown>;
      try {
        next = await events.next();
      } catch (error) {
        await end();
        const failure = error instanceof GraphQLError ? error : new GraphQLError(String(error));
        return { value: { errors: [failure] }, done: false };
      }
      if (next.done) return returned ? new Promise<never>(() => {}) : end();
      const result = await execute({ ...args, rootValue: next.value });
      // Handed to graphql-ws, which sends it at once: delivered, as far as the gateway goes.
      live.delivered(next.value);
      const position = positionOf(next.value);
      const value =
        position === undefined
          ? result
          : { ...result, extensions: { ...result.extensions, cursor: feedCursor(userId, position) } };
      return { value, done: false };
    },
    return() {
      returned = true;
      return end();
    },
    async throw(error) {
      await end();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return results;
    },
  };
  return results;
}
