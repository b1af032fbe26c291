import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpFetcher } from './http-fetcher.ts';

describe('the gateway’s subgraph fetcher', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A subgraph stand-in; `drop` decides, per request on a socket, to close the socket unanswered. */
  async function subgraph(drop: (nthOnSocket: number) => boolean) {
    const seen: { nthOnSocket: number; body: string }[] = [];
    const perSocket = new WeakMap<object, number>();
    server = createServer((req, res) => {
      const nth = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, nth);
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        seen.push({ nthOnSocket: nth, body });
        if (drop(nth)) {
          req.socket.destroy();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'private' });
        res.end(JSON.stringify({ data: { echo: body } }));
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/graphql`, seen };
  }

  it('posts the body with the given headers and answers status, headers and JSON', async () => {
    const { url, seen } = await subgraph(() => false);
    const fetcher = createHttpFetcher();
    const res = await fetcher(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"{ a }"}',
    });
    expect(res.ok).toBe(true);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('private');
    expect(await res.json()).toEqual({ data: { echo: '{"query":"{ a }"}' } });
    expect(seen).toHaveLength(1);
    fetcher.close();
  });

  it('sends a request again on a new connection when a kept-alive one is closed under it', async () => {
    // The second request on any connection finds it closed, as when the subgraph's idle
    // timeout ends a kept-alive connection just as the gateway reuses it.
    const { url, seen } = await subgraph((nth) => nth === 2);
    const fetcher = createHttpFetcher({ maxSockets: 1 });
    const post = (body: string) => fetcher(url, { method: 'POST', body });
    expect(await (await post('first')).json()).toEqual({ data: { echo: 'first' } });
    expect(await (await post('second')).json()).toEqual({ data: { echo: 'second' } });
    expect(seen.map((s) => [s.body, s.nthOnSocket])).toEqual([
      ['first', 1],
      ['second', 2],
      ['second', 1],
    ]);
    fetcher.close();
  });

  it('does not send again when a fresh connection fails', async () => {
    const { url, seen } = await subgraph(() => true);
    const fetcher = createHttpFetcher();
    await expect(fetcher(url, { method: 'POST', body: 'once' })).rejects.toThrow();
    expect(seen).toHaveLength(1);
    fetcher.close();
  });
});
