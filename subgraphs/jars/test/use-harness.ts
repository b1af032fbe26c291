import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { createJarsHarness, type JarsHarness } from './harness.ts';

/** The test file's jars harness (harness.ts), its clock at the harness's default start, as useForSuite gives it. */
export function useJarsHarness(): JarsHarness {
  return useForSuite(() => createJarsHarness(), { startMs: 60_000 });
}
