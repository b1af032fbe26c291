/**
 * `node bench/hive-gateway.ts <supergraph file>`: Hive Gateway over that supergraph, in this
 * process alone (so /proc tells its CPU apart), on a free loopback port. It serves `/graphql` as
 * the `hive-gateway supergraph` CLI (@graphql-hive/gateway) does with one worker: the CLI's own
 * engine, `createGatewayRuntime` from @graphql-hive/gateway-runtime, behind a plain node:http
 * server (no WebSockets), with the CLI's HTTP transport (@graphql-mesh/transport-http). The CLI
 * package itself is not installed: its plugins bring @types/pg and @upstash/redis, optional peers
 * of drizzle-orm, and pnpm would then re-resolve every product package's drizzle-orm with them.
 * It forwards each client's `authorization` header to the subgraphs, which verify the bearer
 * token themselves. Once the schema is loaded it prints one line `hive-gateway ready {"url": …}`;
 * SIGTERM (or SIGINT) closes it and exits.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The little of @graphql-hive/gateway-runtime this script uses. */
interface HiveRuntime extends RequestListener {
  getSchema(): Promise<unknown>;
  dispose(): Promise<void> | void;
}
type CreateGatewayRuntime = (config: {
  supergraph: string;
  logging: 'warn';
  propagateHeaders: {
    fromClientToSubgraphs(payload: { request: Request }): Record<string, string | null>;
  };
  transports: { http: unknown };
}) => HiveRuntime;

// Imported by names TypeScript does not follow: their typings (graphql-yoga's) augment graphql's
// GraphQLErrorExtensions for the whole program, and the repository type-checks as one program,
// so importing them here would break the product's errors that carry Apollo's HeaderMap.
const runtimeModule: string = '@graphql-hive/gateway-runtime';
const { createGatewayRuntime } = (await import(runtimeModule)) as {
  createGatewayRuntime: CreateGatewayRuntime;
};
// The runtime loads a subgraph's transport by kind from its own dependencies, where pnpm has
// none (the CLI package brings it): handed over here, as the runtime's `transports` option allows.
const httpTransportModule: string = '@graphql-mesh/transport-http';
const httpTransport: unknown = await import(httpTransportModule);

const supergraph = process.argv[2];
if (!supergraph) {
  console.error('usage: node bench/hive-gateway.ts <supergraph file>');
  process.exit(2);
}

const runtime = createGatewayRuntime({
  supergraph,
  logging: 'warn',
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }),
  },
  transports: { http: httpTransport },
});
await runtime.getSchema();

const server = createServer(runtime);
await new Promise<void>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve());
});
const { port } = server.address() as AddressInfo;
process.stdout.write(`hive-gateway ready ${JSON.stringify({ url: `http://127.0.0.1:${port}/graphql` })}\n`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await runtime.dispose();
  // A normal exit, so `--cpu-prof` writes its profile.
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
