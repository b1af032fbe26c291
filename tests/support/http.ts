import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';

export interface GraphQLAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the operation selected.
  data?: any;
  errors?: Array<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }>;
}

export interface PostOptions {
  /**
   * The local address to send from. Every 127.x.y.z address is this machine on Linux, so each
   * one is a different client address as far as the gateway can tell. Default 127.0.0.1.
   */
  from?: string;
  headers?: Record<string, string>;
}

/** POSTs one GraphQL request over a fresh connection and answers with the status, headers and body. */
export function postGraphQL(
  url: string,
  body: { query: string; variables?: Record<string, unknown> },
  options: PostOptions = {},
): Promise<GraphQLAnswer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        localAddress: options.from ?? '127.0.0.1',
        headers: { 'content-type': 'application/json', ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, headers: res.headers, ...JSON.parse(text) });
          } catch {
            reject(
              new Error(`answered ${res.statusCode} with a body that is not JSON: ${text.slice(0, 200)}`),
            );
          }
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
