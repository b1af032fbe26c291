import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetcherRequestInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;
type FetcherHeaders = FetcherResponse['headers'];

/**
 * The gateway's fetcher for subgraph calls: a plain HTTP/1.1 POST over keep-alive connections,
 * its JSON body read into one string. WHATWG `fetch` (undici) wraps every response in web
 * streams and builds Request and Headers objects, which cost the gateway more CPU per call than
 * planning the query; a subgraph call needs none of that. Subgraphs are reached over plain HTTP
 * on a private network (the supergraph's URLs), so `http:` only.
 */
export function createHttpFetcher(options: { maxSockets?: number } = {}): Fetcher & { close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  // A kept-alive connection may be closed by the subgraph (its idle timeout) just as a request
  // is written to it. A request whose reused connection is reset before any answer is sent once
  // more, on a new connection, as Node's documentation advises (`request.reusedSocket`): in that
  // race it never reached the subgraph (and money mutations carry idempotency keys should a
  // subgraph have died after reading one).
  const fetcher = async (url: string, init: FetcherRequestInit = {}): Promise<FetcherResponse> => {
    try {
      return await post(url, init);
    } catch (error) {
      if (!(error instanceof ReusedSocketClosed)) throw error;
      return post(url, init);
    }
  };
  const post = (url: string, init: FetcherRequestInit): Promise<FetcherResponse> =>
    new Promise((resolve, reject) => {
      const req = request(
        url,
        { method: init.method ?? 'GET', headers: headersOf(init.headers), agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve(
              new BufferedResponse(
                url,
                res.statusCode ?? 0,
                res.statusMessage ?? '',
                res.headers,
                Buffer.concat(chunks).toString('utf8'),
              ),
            ),
          );
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) =>
        reject(req.reusedSocket && error.code === 'ECONNRESET' ? new ReusedSocketClosed(error) : error),
      );
      if (init.signal) {
        init.signal.addEventListener('abort', () => req.destroy(new Error('subgraph request aborted')), {
          once: true,
        });
      }
      req.end(typeof init.body === 'string' ? init.body : undefined);
    });
  return Object.assign(fetcher, { close: () => agent.destroy() });
}

/** The subgraph closed a kept-alive connection as a request was written to it. */
class ReusedSocketClosed extends Error {
  override name = 'ReusedSocketClosed';
  constructor(cause: Error) {
    super('a kept-alive connection was closed by the subgraph', { cause });
  }
}

function headersOf(headers: FetcherRequestInit['headers']): Record<string, string> {
  if (!headers) return {};
  if (Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

/** A response whose body has been read whole. */
class BufferedResponse implements FetcherResponse {
  readonly bodyUsed = false;
  readonly redirected = false;
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: FetcherHeaders;
  private readonly body: string;
  constructor(url: string, status: number, statusText: string, headers: IncomingHttpHeaders, body: string) {
    this.url = url;
    this.status = status;
    this.statusText = statusText;
    this.ok = status >= 200 && status < 300;
    this.headers = new ResponseHeaders(headers);
    this.body = body;
  }
  async text(): Promise<string> {
    return this.body;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body);
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(this.body, 'utf8');
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return this;
  }
}

/** Node's parsed response headers (lower-case names) behind the Fetch API's `Headers` methods. */
class ResponseHeaders implements FetcherHeaders {
  private readonly map: Map<string, string>;
  constructor(headers: IncomingHttpHeaders) {
    this.map = new Map(
      Object.entries(headers).flatMap(([name, value]) =>
        value === undefined
          ? []
          : [[name, Array.isArray(value) ? value.join(', ') : value] as [string, string]],
      ),
    );
  }
  get(name: string): string | null {
    return this.map.get(name.toLowerCase()) ?? null;
  }
  has(name: string): boolean {
    return this.map.has(name.toLowerCase());
  }
  set(name: string, value: string): void {
    this.map.set(name.toLowerCase(), value);
  }
  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const known = this.map.get(key);
    this.map.set(key, known === undefined ? value : `${known}, ${value}`);
  }
  delete(name: string): void {
    this.map.delete(name.toLowerCase());
  }
  entries(): IterableIterator<[string, string]> {
    return this.map.entries();
  }
  keys(): IterableIterator<string> {
    return this.map.keys();
  }
  values(): IterableIterator<string> {
    return this.map.values();
  }
  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.map.entries();
  }
}
