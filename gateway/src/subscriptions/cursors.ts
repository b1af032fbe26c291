import { feedCursor } from '@walletgraph/platform/live/feed';
import {
  createSourceEventStream,
  type ExecutionArgs,
  type ExecutionResult,
  execute,
  GraphQLError,
} from 'graphql';
import { positionOf } from './feed.ts';

/**
 * graphql-js's `subscribe`, with each event's feed position as `extensions.cursor` on its `next`
 * payload (`feedCursor`, tied to the subscriber): the source stream's events are executed one by
 * one as `subscribe` does, and a stream that fails mid-way (the feed could not be read) answers
 * its error as a last payload, so the client resubscribes with the last cursor it got.
 *
 * A subscription refused before its first event (a cursor the feed no longer has, or not the
 * subscriber's) is thrown from the stream at once: graphql-ws answers it with an `error` message,
 * as it answers the refusals of `onSubscribe`, rather than a `next` followed by `complete`.
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
  const { userId } = args.contextValue as { userId: string };
  const events = stream[Symbol.asyncIterator]();
  async function* results(): AsyncGenerator<ExecutionResult> {
    try {
      for (;;) {
        let next: IteratorResult<unknown>;
        try {
          next = await events.next();
        } catch (error) {
          yield { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))] };
          return;
        }
        if (next.done) return;
        const result = await execute({ ...args, rootValue: next.value });
        const position = positionOf(next.value);
        yield position === undefined
          ? result
          : { ...result, extensions: { ...result.extensions, cursor: feedCursor(userId, position) } };
      }
    } finally {
      await events.return?.();
    }
  }
  return results();
}
