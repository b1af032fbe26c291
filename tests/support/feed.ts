import type { LiveTopic } from '@walletgraph/events';
import { readFeedCursor } from '@walletgraph/platform/live/feed';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { createLiveClient, type LiveClient, type OperationFieldsFragment } from '@walletgraph/sdk';
import type { ExecutionResult } from 'graphql';
import { afterAll } from 'vitest';
import { userIdOf, type Watch, watch } from './live.ts';
import { deposit, type Person, withSql } from './money.ts';
import type { TestStack } from './stack.ts';

/**
 * The resumable live feed (issue 13) in end-to-end tests: subscriptions that resume `after:` a
 * cursor, each event's position read back from its `extensions.cursor`, and the feed identity
 * stored, which is what a subscriber must have received, exactly.
 */

/** A balance change as these tests select it: the delta tells the deposits apart. */
export type BalanceEvent = { balanceChanged: { delta: { minorUnits: string }; wallet: { id: string } } };
export type OperationEvent = { operationUpdated: { id: string } };

const balanceChanged = /* GraphQL */ `
  subscription ($walletId: ID, $after: String) {
    balanceChanged(walletId: $walletId, after: $after) { delta { minorUnits } wallet { id } }
  }
`;
const operationUpdated = /* GraphQL */ `
  subscription ($id: ID, $after: String) { operationUpdated(id: $id, after: $after) { id } }
`;

/**
 * For the test file: opens graphql-ws clients (no retry: a test reconnects itself, with its
 * cursor) and disposes whatever is still open after the file's tests.
 */
export function useLiveClients(): (url: string, p: Person) => LiveClient {
  const open: LiveClient[] = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.dispose()));
  }, 60_000);
  return (url, p) => {
    const client = createLiveClient({ url, token: p.token, options: { retryAttempts: 0 } });
    open.push(client);
    return client;
  };
}

/** `balanceChanged`, narrowed to a wallet and resumed after a cursor when given. */
export function watchBalances(
  client: LiveClient,
  from: { walletId?: string; after?: string } = {},
): Watch<BalanceEvent> {
  return watch<BalanceEvent>(client.ws, { query: balanceChanged, variables: from });
}

/** `operationUpdated`, narrowed to an operation and resumed after a cursor when given. */
export function watchOperations(
  client: LiveClient,
  from: { id?: string; after?: string } = {},
): Watch<OperationEvent> {
  return watch<OperationEvent>(client.ws, { query: operationUpdated, variables: from });
}

/** The cursor an event carries (`extensions.cursor`); every event of the feed has one. */
export function cursorOf(event: ExecutionResult<unknown, Record<string, unknown>> | undefined): string {
  const cursor = event?.extensions?.cursor;
  if (typeof cursor !== 'string') throw new Error(`an event without a cursor: ${JSON.stringify(event)}`);
  return cursor;
}

/** The feed position `p`'s cursor names (the cursor is opaque to clients; tests may read it). */
export function positionOf(p: Person, cursor: string): bigint {
  return readFeedCursor(userIdOf(p.token), cursor);
}

/** What a subscription received, as the stored feed is compared with it: each position and its key. */
export interface Received {
  seq: bigint;
  key: string;
}

/** Each balance event's position and delta, in the order received. */
export function balancesReceived(p: Person, events: readonly ExecutionResult<BalanceEvent>[]): Received[] {
  return events.map((e) => ({
    seq: positionOf(p, cursorOf(e)),
    key: e.data!.balanceChanged.delta.minorUnits,
  }));
}

/** Each operation event's position and operation id, in the order received. */
export function operationsReceived(
  p: Person,
  events: readonly ExecutionResult<OperationEvent>[],
): Received[] {
  return events.map((e) => ({ seq: positionOf(p, cursorOf(e)), key: e.data!.operationUpdated.id }));
}

/**
 * `p`'s feed entries of `topic` after `after`, as identity stored them (its database), oldest
 * first: a balance by its delta, anything else by the object it is about; narrowed to one object
 * when `objectId` is given.
 */
export async function storedFeed(
  stack: TestStack,
  p: Person,
  topic: LiveTopic,
  after: bigint,
  objectId?: string,
): Promise<Received[]> {
  return withSql(stack.databases.identity!, async (sql) => {
    const rows = await sql<{ position: string; key: string }[]>`
      select seq::text as position, case when topic = 'balanceChanged' then notice->>'delta' else object_id::text end as key
      from live_feed
      where user_id = ${userIdOf(p.token)} and topic = ${topic} and seq > ${after.toString()}
        and (${objectId ?? null}::uuid is null or object_id = ${objectId ?? null}::uuid)
      order by live_feed.seq`;
    return rows.map((r) => ({ seq: BigInt(r.position), key: r.key }));
  });
}

/** Polls until `p`'s stored feed of `topic` after `after` holds `count` entries; answers them. */
export function untilStored(
  stack: TestStack,
  p: Person,
  topic: LiveTopic,
  after: bigint,
  count: number,
): Promise<Received[]> {
  return waitFor(
    `${count} ${topic} entries in ${p.name}'s feed after ${after}`,
    async () => {
      const entries = await storedFeed(stack, p, topic, after);
      return entries.length >= count ? entries : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
}

/** Polls until `w` received an event `match` accepts; answers how many it has received by then. */
export async function untilReceived<T>(
  w: Watch<T>,
  what: string,
  match: (event: ExecutionResult<T>) => boolean,
): Promise<number> {
  await waitFor(what, async () => w.events.some(match) || w.ending, { timeoutMs: 60_000, intervalMs: 20 });
  if (w.ending) throw new Error(`the subscription ended waiting for ${what}: ${JSON.stringify(w.ending)}`);
  return w.events.length;
}

/** A balance event for a deposit of `minor`, which no other deposit of the test repeats. */
export const deltaIs =
  (minor: bigint) =>
  (e: ExecutionResult<BalanceEvent>): boolean =>
    e.data?.balanceChanged.delta.minorUnits === minor.toString();

/**
 * Deposits `minor` as a last event and waits until `w` received it (answers the deposit): the feed delivers in order,
 * so every event stored before it has been delivered by then, and anything missing is missing.
 */
export async function drained(
  w: Watch<BalanceEvent>,
  p: Person,
  minor: bigint,
): Promise<OperationFieldsFragment> {
  const op = await deposit(p, minor);
  await untilReceived(w, `the last deposit (${minor}) on ${p.name}'s subscription`, deltaIs(minor));
  return op;
}
