import type { Viewer } from '@walletgraph/platform/auth/verifier';
import type { IdentityServices } from '../context.ts';
import { identitySubgraph } from '../server.ts';

type Routes = NonNullable<typeof identitySubgraph.routes>;

/** A route handler as the tests call it: a plain request object and a recording response. */
export type Handler = (req: unknown, res: FakeResponse) => void | Promise<void>;

/** Records what a route answered: status, headers (lower-cased) and JSON body. */
export class FakeResponse {
  statusCode = 200;
  headers: Record<string, string> = {};
  body: unknown;
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  set(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
    return this;
  }
  json(body: unknown) {
    this.body = body;
    return this;
  }
}

/**
 * The subgraph's routes as it mounts them, on a recording router: its GET handlers by path.
 * `viewerOf` stands for the token check the server does (none: every request anonymous).
 */
export function mountedRoutes(
  services: IdentityServices,
  viewerOf: (req: { headers: Record<string, string> }) => Promise<Viewer | null> = async () => null,
): Map<string, Handler> {
  const routes = new Map<string, Handler>();
  const router = { get: (path: string, handler: Handler) => routes.set(path, handler) };
  identitySubgraph.routes?.(
    router as unknown as Parameters<Routes>[0],
    services,
    viewerOf as unknown as Parameters<Routes>[2],
  );
  return routes;
}
