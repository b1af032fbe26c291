import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identitySubgraph } from '../server.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();

type Router = Parameters<NonNullable<typeof identitySubgraph.routes>>[0];
type Handler = (req: unknown, res: FakeResponse) => void;

class FakeResponse {
  headers: Record<string, string> = {};
  body: unknown;
  set(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  json(body: unknown) {
    this.body = body;
    return this;
  }
}

/** Mounts the subgraph's routes on a recording router and returns the GET handlers by path. */
function mountedRoutes(): Map<string, Handler> {
  const routes = new Map<string, Handler>();
  const router = { get: (path: string, handler: Handler) => routes.set(path, handler) };
  identitySubgraph.routes?.(router as unknown as Router, h.services, async () => null);
  return routes;
}

describe('identity subgraph definition', () => {
  it('serves the JWKS at /.well-known/jwks.json, cacheable for 5 minutes', () => {
    const handler = mountedRoutes().get('/.well-known/jwks.json');
    const res = new FakeResponse();
    handler?.({}, res);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body).toEqual(h.services.keys.jwks());
    expect((res.body as { keys: unknown[] }).keys).toHaveLength(1);
  });

  it('points at its migrations by absolute path, whatever the working directory', () => {
    const folder = identitySubgraph.db.migrationsFolder;
    expect(isAbsolute(folder)).toBe(true);
    expect(existsSync(join(folder, 'meta/_journal.json'))).toBe(true);
  });
});
