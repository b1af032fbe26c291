import type { SubgraphService } from '@walletgraph/platform/service';

/** One entry per dependency: `'ok'`, or why it is not. */
export type ReadinessChecks = Record<string, string>;

const probeTimeoutMs = 2_000;

/**
 * A subgraph's readiness probe next to its GraphQL endpoint: `http://h:4001/graphql` →
 * `http://h:4001/readyz` (relative resolution keeps a path prefix such as `/identity/graphql`).
 */
export function readinessUrlOf(graphqlUrl: string): string {
  return new URL('readyz', graphqlUrl).toString();
}

/** Asks each subgraph's `/readyz`; only a 200 within the timeout counts as ready. */
export async function remoteReadiness(urls: Record<string, string>): Promise<ReadinessChecks> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([name, url]) => {
      try {
        const res = await fetch(readinessUrlOf(url), { signal: AbortSignal.timeout(probeTimeoutMs) });
        await res.body?.cancel();
        return [name, res.ok ? 'ok' : `readyz answered ${res.status}`] as const;
      } catch (error) {
        return [name, describe(error)] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

/** Each in-process subgraph's own checks, prefixed with its name (`wallet.database`). */
export async function localReadiness(services: readonly SubgraphService[]): Promise<ReadinessChecks> {
  const results = await Promise.all(
    services.map(async (service) => {
      try {
        const checks = await service.readiness();
        return Object.entries(checks).map(([check, value]) => [`${service.name}.${check}`, value] as const);
      } catch (error) {
        return [[service.name, describe(error)] as const];
      }
    }),
  );
  return Object.fromEntries(results.flat());
}

/** Runs a check that throws when its dependency is down (Redis ping). */
export async function checkOf(name: string, check: () => Promise<void>): Promise<ReadinessChecks> {
  try {
    await check();
    return { [name]: 'ok' };
  } catch (error) {
    return { [name]: describe(error) };
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause?.code;
  const message = error instanceof Error ? error.message : String(error);
  return cause ? `${message} (${cause})` : message || 'unreachable';
}
