import type { SubgraphService } from '@walletgraph/platform/service';

/** One entry per dependency: `'ok'`, or why it is not. */
export type ReadinessChecks = Record<string, string>;

const probeTimeoutMs = 2_000;

/**
 * How long the gateway's /readyz answers with one result. The probe must stay on the public port
 * (Kubernetes probes the pod's port, and the gateway has one), where each hit would otherwise ask
 * every subgraph, and each of those its database, broker and Redis: an amplifier for anyone. With
 * hits in flight sharing one fan-out and its result reused for a second, a flood of /readyz costs
 * at most one fan-out a second, and a probe every few seconds still sees the present. In
 * production the answer names each check but not why it failed (driver messages carry internal
 * hosts and ports): the status code is all a probe reads; operators find the reasons in the log
 * and on each subgraph's own /readyz, on the private network.
 */
export const READINESS_REUSE_MS = 1_000;

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
