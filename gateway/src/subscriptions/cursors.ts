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
 * its error as a last payload, so the client resubscribes with the last cursor it got. A
 * subscription refused before its first event (an `after:` cursor that is not the subscriber's,
 * one expired, a feed that cannot be read) is answered with a graphql-ws `error` message (refusal).
 */
export async function subscribeWithCursors(
  args: ExecutionArgs,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!(Symbol.asyncIterator in stream)) return refusal(stream);
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

/**
 * A subscription refused before its stream started, as graphql-ws answers it with an `error`
 * message (errors[0].extensions.code: BAD_USER_INPUT, CURSOR_EXPIRED, …) rather than a `next`
 * carrying the errors and a `complete`, which a client could not tell from an empty stream: a
 * stream whose first read throws the first error (graphql-ws keeps its message and extensions).
 */
function refusal(result: ExecutionResult): AsyncIterableIterator<never> {
  const error = result.errors?.[0] ?? new GraphQLError('the subscription could not start');
  const refused: AsyncIterableIterator<never> = {
    next: () => Promise.reject(error),
    return: async () => ({ value: undefined, done: true }),
    [Symbol.asyncIterator]: () => refused,
  };
  return refused;
}
