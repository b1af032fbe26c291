import { readFeedCursor } from '@walletgraph/platform/live/feed';
import { createLiveClient } from '@walletgraph/sdk';
import { userIdOf } from '@walletgraph/tests/support/live';
import { deposit, newKey, type Person, pool, withSql } from '@walletgraph/tests/support/money';
import type { TestStack } from '@walletgraph/tests/support/stack';
import { until } from '../support.ts';

/** What one replay took: `events` missed events delivered to one client after `after:` its cursor. */
export interface Replay {
  events: number;
  seconds: number;
}

const SUBSCRIPTION = `subscription ($after: String) { balanceChanged(after: $after) { delta { minorUnits } } }`;
type Event = {
  data?: { balanceChanged: { delta: { minorUnits: string } } } | null;
  extensions?: { cursor?: string };
};

/**
 * Times the replay of `count` missed events to one client: it takes a cursor from one event,
 * disconnects, `count` deposits are made and stored in the person's feed, then it subscribes
 * `after:` the cursor; the clock runs from sending that subscription to the last replayed event.
 * Checks that every missed deposit arrived once, in the feed's order.
 */
export async function measureReplay(
  stack: TestStack,
  p: Person,
  count: number,
  firstMinor: number,
): Promise<Replay> {
  const userId = userIdOf(p.token);
  const cursor = await cursorOfOneEvent(stack, p, firstMinor);
  const after = readFeedCursor(userId, cursor);
  const minors = Array.from({ length: count }, (_, i) => firstMinor + 1 + i);
  await pool(minors, 8, (minor) => deposit(p, BigInt(minor), newKey('bench-replay'), 0));
  // At least: a late warm-up deposit may follow the one whose cursor was taken.
  await until(
    `${count} missed balance changes stored`,
    () => storedSince(stack, userId, after).then((stored) => stored >= count),
    { timeoutMs: 120_000, intervalMs: 100 },
  );

  const client = createLiveClient({ url: stack.url, token: p.token, options: { retryAttempts: 0 } });
  try {
    const received: Event[] = [];
    let failure: unknown;
    const missed = () => received.filter((e) => Number(e.data?.balanceChanged.delta.minorUnits) > firstMinor);
    const t0 = performance.now();
    let last = t0;
    client.ws.subscribe<Event['data']>(
      { query: SUBSCRIPTION, variables: { after: cursor } },
      {
        next: (event) => {
          received.push(event as Event);
          last = performance.now();
        },
        error: (error) => {
          failure = error;
        },
        complete: () => {},
      },
    );
    await until(
      `${count} replayed events`,
      () => {
        if (failure) throw new Error(`the replay failed: ${JSON.stringify(failure)}`);
        return missed().length >= count;
      },
      {
        timeoutMs: 120_000,
        intervalMs: 5,
      },
    );
    const got = missed().map((e) => Number(e.data?.balanceChanged.delta.minorUnits));
    const positions = received.map((e) => readFeedCursor(userId, e.extensions!.cursor!));
    if ([...got].sort((a, b) => a - b).join() !== minors.join())
      throw new Error('the replay missed or repeated a deposit');
    if (positions.some((position, i) => i > 0 && position <= positions[i - 1]!)) {
      throw new Error('the replay was out of the feed’s order');
    }
    return { events: count, seconds: (last - t0) / 1000 };
  } finally {
    await client.dispose();
  }
}

/** The cursor of a warm-up deposit's event received live (amounts just below `minor`). */
async function cursorOfOneEvent(stack: TestStack, p: Person, minor: number): Promise<string> {
  const client = createLiveClient({ url: stack.url, token: p.token, options: { retryAttempts: 0 } });
  try {
    let cursor: string | undefined;
    client.ws.subscribe<Event['data']>(
      { query: SUBSCRIPTION, variables: {} },
      {
        next: (event) => {
          cursor ??= (event as Event).extensions?.cursor;
        },
        error: () => {},
        complete: () => {},
      },
    );
    let attempt = 0;
    await until(
      'an event with a cursor',
      async () => {
        if (cursor) return true;
        await deposit(p, BigInt(minor - ++attempt), newKey('bench-replay-warm-up'), 0);
        return false;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    return cursor!;
  } finally {
    await client.dispose();
  }
}

/** Balance changes stored in the user's feed after `after`. */
function storedSince(stack: TestStack, userId: string, after: bigint): Promise<number> {
  return withSql(stack.databases.identity!, async (sql) => {
    const [row] = await sql`select count(*)::int as n from live_feed
      where user_id = ${userId} and seq > ${after.toString()} and topic = 'balanceChanged'`;
    return (row?.n as number) ?? 0;
  });
}
