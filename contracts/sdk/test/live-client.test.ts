import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { closeCodes } from '../src/close-codes.ts';
import { createLiveClient, type LiveClient, type LiveClientOptions } from '../src/live.ts';
import { LiveFeedError } from '../src/live-feed.ts';
import { Counted, consume, type FeedServer, startFeedServer, until } from './support/feed-server.ts';
import { tokenExpiring } from './support/tokens.ts';

/**
 * The live client against a real graphql-ws server whose feed is resumable like the gateway's:
 * dropped sockets, token renewal and 4401 closes must leave the consumer one ordered stream.
 */

let server: FeedServer;
const clients: LiveClient[] = [];

beforeEach(async () => {
  server = await startFeedServer();
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  await server.close();
});

/** A live client with tiny reconnect delays: a test waits for what happens, never for how long. */
function live(options: Partial<LiveClientOptions> = {}): LiveClient {
  const client = createLiveClient({
    url: server.url,
    token: 'first',
    reconnect: { initialDelayMs: 1, maxDelayMs: 5 },
    ...options,
  });
  clients.push(client);
  return client;
}

const numbers = (items: { data?: { counted: number } | null }[]) => items.map((item) => item.data?.counted);
const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('starting without a cursor', () => {
  it('starts after where the feed stood when it subscribed, so a drop before the first event loses nothing', async () => {
    server.publish(2); // before: not this subscription's
    const feed = consume(live().subscribe(Counted));
    await until(() => server.listening === 1);
    expect(server.liveCursorReads).toBe(1);
    server.dropSockets();
    server.publish(3); // while its socket is down, before it received anything
    await until(() => server.subscribes.length === 2 && server.listening === 1);
    server.publish(1);
    await until(() => feed.items.length === 4);
    expect(numbers(feed.items)).toEqual([3, 4, 5, 6]);
    expect(server.subscribes).toEqual(['2', '2']);
  });
});

describe('resuming after a dropped socket', () => {
  it('yields every event once, in order, resubscribing after the last cursor', async () => {
    const feed = consume(live().subscribe(Counted));
    await until(() => server.listening === 1);
    server.publish(3);
    await until(() => feed.items.length === 3);
    expect(feed.items.map((item) => item.extensions?.cursor)).toEqual(['1', '2', '3']);

    server.dropSockets();
    server.publish(2); // while the client is away
    await until(() => server.subscribes.length === 2 && server.listening === 1);
    server.publish(1);
    await until(() => feed.items.length === 6);

    expect(numbers(feed.items)).toEqual(upTo(6));
    expect(server.subscribes).toEqual(['0', '3']);
  });

  it('stays one ordered stream through drops in the middle of a burst', async () => {
    const feed = consume(live().subscribe(Counted));
    await until(() => server.listening === 1);
    for (let round = 1; round <= 5; round++) {
      server.publish(20);
      // Dropped once the burst has begun to arrive: the rest is in flight, or not sent yet.
      await until(() => feed.items.length > (round - 1) * 20);
      server.dropSockets();
      await until(() => server.subscribes.length === round + 1 && server.listening === 1);
    }
    server.publish(1);
    await until(() => feed.items.length >= 101);
    expect(numbers(feed.items)).toEqual(upTo(101));
    // Each resubscribe carried the cursor of the last event received before its socket went.
    for (const after of server.subscribes.slice(1)) {
      const index = feed.items.findIndex((item) => item.extensions?.cursor === after);
      expect(numbers(feed.items.slice(index + 1, index + 2))).toEqual([Number(after) + 1]);
    }
  });

  it('starts after a cursor the caller kept', async () => {
    server.publish(4);
    const feed = consume(live().subscribe(Counted, { after: '2' }));
    await until(() => feed.items.length === 2);
    expect(numbers(feed.items)).toEqual([3, 4]);
    expect(server.subscribes).toEqual(['2']);
  });
});

describe('giving up', () => {
  it('tries maxAttempts reconnects, then ends the iterator with SOCKET_CLOSED', async () => {
    const client = live({ reconnect: { initialDelayMs: 1, maxDelayMs: 4, maxAttempts: 3 } });
    let connecting = 0;
    client.ws.on('connecting', () => connecting++);
    const feed = consume(client.subscribe(Counted));
    await until(() => server.listening === 1);
    await server.close();

    const error = await feed.ended;
    expect(error).toBeInstanceOf(LiveFeedError);
    expect(error).toMatchObject({
      code: 'SOCKET_CLOSED',
      message: expect.stringMatching(/after 3 reconnect/),
    });
    expect(connecting).toBe(1 + 3);
  });

  it('does not retry a close past the connection cap (4029)', async () => {
    server.closeOnConnect = { code: closeCodes.tooManyConnections, reason: 'Too many connections' };
    const feed = consume(live().subscribe(Counted));
    expect(await feed.ended).toMatchObject({ code: 'SOCKET_CLOSED', closeCode: 4029 });
    expect(server.tokens).toHaveLength(1);
  });
});

describe('token renewal', () => {
  it('renews the margin before exp, reconnects with the new token, and resumes without a gap', async () => {
    const soon = Math.floor(Date.now() / 1000) + 2;
    const renewed = tokenExpiring(soon + 3600, 'renewed');
    // renewToken answers when the test says: the first socket is open with the old token by then.
    let answer: (token: string) => void = () => {};
    const renewToken = vi.fn(() => new Promise<string>((resolve) => (answer = resolve)));
    const client = live({ token: tokenExpiring(soon), renewToken, renewMarginMs: 1_500 });
    const feed = consume(client.subscribe(Counted));
    await until(() => server.listening === 1);
    server.publish(2);
    await until(() => feed.items.length === 2 && renewToken.mock.calls.length === 1);

    answer(renewed);
    await until(() => server.tokens.length === 2 && server.listening === 1);
    server.publish(2);
    await until(() => feed.items.length === 4);

    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(server.tokens).toEqual([`Bearer ${tokenExpiring(soon)}`, `Bearer ${renewed}`]);
    expect(numbers(feed.items)).toEqual(upTo(4));
    expect(server.subscribes).toEqual(['0', '2']);
  });

  it('answers a 4401 close by renewing once, then resumes', async () => {
    const renewToken = vi.fn(async () => 'second');
    const feed = consume(live({ renewToken }).subscribe(Counted));
    await until(() => server.listening === 1);
    server.publish(1);
    await until(() => feed.items.length === 1);

    server.closeSockets(closeCodes.unauthorized, 'Unauthorized: the token expired');
    await until(() => server.subscribes.length === 2 && server.listening === 1);
    server.publish(1);
    await until(() => feed.items.length === 2);

    expect(renewToken).toHaveBeenCalledTimes(1);
    expect(server.tokens).toEqual(['Bearer first', 'Bearer second']);
    expect(numbers(feed.items)).toEqual([1, 2]);
    expect(server.subscribes).toEqual(['0', '1']);
  });

  it('ends with SOCKET_CLOSED 4401 when the renewed token is refused too', async () => {
    const renewToken = vi.fn(async () => 'second');
    server.refusedTokens.add('second');
    const feed = consume(live({ renewToken }).subscribe(Counted));
    await until(() => server.listening === 1);
    server.closeSockets(closeCodes.unauthorized, 'Unauthorized');
    expect(await feed.ended).toMatchObject({ code: 'SOCKET_CLOSED', closeCode: 4401 });
    expect(renewToken).toHaveBeenCalledTimes(1);
  });

  it('ends with SOCKET_CLOSED 4401 without renewToken, without reconnecting', async () => {
    const feed = consume(live().subscribe(Counted));
    await until(() => server.listening === 1);
    server.closeSockets(closeCodes.unauthorized, 'Unauthorized');
    const error = await feed.ended;
    expect(error).toBeInstanceOf(LiveFeedError);
    expect(error).toMatchObject({ code: 'SOCKET_CLOSED', closeCode: closeCodes.unauthorized });
    expect(server.tokens).toHaveLength(1);
  });
});

describe('a refused cursor', () => {
  it('ends the iterator with a LiveFeedError CURSOR_EXPIRED, so the app re-reads and starts over', async () => {
    server.publish(20);
    server.oldestCursor = 10;
    const feed = consume(live().subscribe(Counted, { after: '3' }));
    const error = await feed.ended;
    expect(error).toBeInstanceOf(LiveFeedError);
    expect(error).toMatchObject({ code: 'CURSOR_EXPIRED', cursor: '3', cursorRefused: true });
    expect(feed.items).toEqual([]);
  });

  it('is met on resuming too, when the cursor aged out while the client was away', async () => {
    const feed = consume(live().subscribe(Counted));
    await until(() => server.listening === 1);
    server.publish(2);
    await until(() => feed.items.length === 2);
    server.oldestCursor = 5;
    server.dropSockets();
    expect(await feed.ended).toMatchObject({ code: 'CURSOR_EXPIRED', cursor: '2' });
    expect(numbers(feed.items)).toEqual([1, 2]);
  });
});

describe('dispose', () => {
  it('ends every iterator and leaves no renewal timer behind', async () => {
    const timers = () => process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length;
    const before = timers();
    const client = live({
      token: tokenExpiring(Math.floor(Date.now() / 1000) + 3600),
      renewToken: async () => 'never',
    });
    expect(timers()).toBe(before + 1);
    // With a cursor of its own: no liveCursor read, whose pooled HTTP connection keeps a timer of fetch's.
    const feed = consume(client.subscribe(Counted, { after: '0' }));
    await until(() => server.listening === 1);
    await client.dispose();
    expect(await feed.ended).toBe('done');
    // fetch's pooled connections (other tests' liveCursor reads) keep idle timers of their own for a
    // while: none of the client's is left once they are gone.
    await until(() => timers() <= before);
  });
});
