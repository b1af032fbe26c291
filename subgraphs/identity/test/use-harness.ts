import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { createIdentityHarness, type IdentityHarness } from './harness.ts';

/** The test file's identity harness (harness.ts), as useForSuite gives it. */
export function useIdentityHarness(
  options: Parameters<typeof createIdentityHarness>[0] = {},
): IdentityHarness {
  return useForSuite(() => createIdentityHarness(options), { startMs: 30_000 });
}
