import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { identitySubgraph } from '../server.ts';
import { FakeResponse, mountedRoutes } from './routes.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();

describe('identity subgraph definition', () => {
  it('serves the JWKS at /.well-known/jwks.json, cacheable for 5 minutes', () => {
    const handler = mountedRoutes(h.services).get('/.well-known/jwks.json');
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
