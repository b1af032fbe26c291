import { createGateway } from '@walletgraph/gateway/gateway';
import { type GatewayServer, serveGateway } from '@walletgraph/gateway/server';
import { loadConfig, subgraphNames } from '@walletgraph/platform/config';
import { createLogger } from '@walletgraph/platform/logger';
import { createRuntime, type Runtime } from '@walletgraph/platform/runtime';
import { createClient, MeDocument } from '@walletgraph/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/ports.ts';

/**
 * The real gateway in remote mode with no subgraph running: everything asserted here is answered
 * by the gateway itself, before any subgraph would be called.
 */
async function startGateway(env: Record<string, string>): Promise<{ http: GatewayServer; runtime: Runtime }> {
  const closed = await freePort();
  const urls = Object.fromEntries(
    subgraphNames.map((name) => [`${name.toUpperCase()}_URL`, `http://127.0.0.1:${closed}/graphql`]),
  );
  const config = loadConfig({
    HOST: '127.0.0.1',
    GATEWAY_PORT: '0',
    GATEWAY_METRICS_PORT: '0',
    LOG_LEVEL: 'silent',
    ...urls,
    ...env,
  });
  const runtime = await createRuntime(config, createLogger('gateway-server-test', 'silent'));
  const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'remote' } });
  const http = await serveGateway({ config, runtime, gateway });
  return { http, runtime };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('the gateway over HTTP outside production', () => {
  let http: GatewayServer;
  let runtime: Runtime;
  beforeAll(async () => {
    ({ http, runtime } = await startGateway({ NODE_ENV: 'development' }));
  });
  afterAll(async () => {
    await http.stop();
    await runtime.close();
  });

  it('serves the Apollo Sandbox landing page to a browser', async () => {
    const res = await fetch(http.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/<html/i);
  });

  it('answers /healthz, and /readyz with 503 naming each unreachable subgraph', async () => {
    const base = new URL(http.url);
    expect((await fetch(new URL('/healthz', base))).status).toBe(200);
    const ready = await fetch(new URL('/readyz', base));
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { checks: Record<string, string> };
    expect(Object.keys(body.checks).sort()).toEqual([...subgraphNames, 'redis'].sort());
    expect(body.checks.redis).toBe('ok');
    expect(body.checks.wallet).not.toBe('ok');
  });

  it('answers a subscription over HTTP with 400 BAD_REQUEST before planning it', async () => {
    const res = await post(http.url, { query: 'subscription { goalAchieved { achievedAt } }' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0]?.message).toMatch(/graphql-ws/);
  });

  it('refuses a bad bearer token with 401 UNAUTHENTICATED', async () => {
    const res = await post(http.url, { query: '{ me { id } }' }, { authorization: 'Bearer not-a-jwt' });
    expect(res.status).toBe(401);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('gives SDK clients the error code and status of a refused token', async () => {
    const client = createClient({ url: http.url, token: 'expired.or.forged' });
    const result = await client.request(MeDocument);
    expect(result.status).toBe(401);
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('echoes the caller’s correlation id, or makes one up', async () => {
    const given = await post(http.url, { query: '{ __typename }' }, { 'x-correlation-id': 'req-42' });
    expect(given.headers.get('x-correlation-id')).toBe('req-42');
    const fresh = await post(http.url, { query: '{ __typename }' });
    expect(fresh.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('allows CORS for the configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(http.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const allowed = await preflight('https://studio.apollographql.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://studio.apollographql.com');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps CSRF prevention on: a simple cross-site form post is refused', async () => {
    const res = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('refuses a body larger than the limit with 413, as a GraphQL error', async () => {
    const res = await post(http.url, { query: '{ __typename }', variables: { pad: 'x'.repeat(150_000) } });
    expect(res.status).toBe(413);
    expect(res.headers.get('x-correlation-id')).toBeTruthy();
    expect(await res.json()).toEqual({
      errors: [{ message: 'request body too large', extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
    });
  });

  it('fails to start on a port already in use', async () => {
    const config = loadConfig({ HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const gateway = await createGateway({ config, runtime, subgraphs: { kind: 'remote' } });
    const port = Number(new URL(http.url).port);
    await expect(serveGateway({ config, runtime, gateway, port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('refuses malformed JSON with 400, as a GraphQL error', async () => {
    const res = await fetch(http.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]?.extensions.code).toBe('BAD_REQUEST');
  });
});

describe('the gateway over HTTP in production', () => {
  let http: GatewayServer;
  let runtime: Runtime;
  beforeAll(async () => {
    ({ http, runtime } = await startGateway({ NODE_ENV: 'production', GATEWAY_BODY_LIMIT: '200kb' }));
  });
  afterAll(async () => {
    await http.stop();
    await runtime.close();
  });

  it('serves no landing page', async () => {
    const res = await fetch(http.url, { headers: { accept: 'text/html' } });
    expect(res.status).not.toBe(200);
  });

  it('refuses introspection', async () => {
    const res = await post(http.url, { query: '{ __schema { queryType { name } } }' });
    const body = (await res.json()) as { errors: Array<{ message: string }> };
    expect(body.errors[0]?.message).toMatch(/introspection/i);
  });

  it('takes its body limit from GATEWAY_BODY_LIMIT', async () => {
    const res = await post(http.url, { query: '{ __typename }', variables: { pad: 'x'.repeat(150_000) } });
    expect(res.status).toBe(200);
  });
});
