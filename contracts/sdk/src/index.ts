/**
 * The walletgraph client SDK: typed documents generated from `src/operations/*.graphql` against
 * the composed API schema (`pnpm codegen`), and a small fetch-based client that runs them.
 */

export { type Client, type ClientOptions, createClient, type GraphQLResponse } from './client.ts';
export { closeCodes } from './close-codes.ts';
export * from './gql/graphql.ts';
export { createLiveClient, type LiveClient, type LiveClientOptions } from './live.ts';
export { backoffDelay, type ReconnectOptions } from './live-backoff.ts';
export { type LiveExtensions, LiveFeedError, type LiveResult } from './live-feed.ts';
export { withCursorArgument } from './live-resume.ts';
export { tokenExpiresAt } from './live-token.ts';
