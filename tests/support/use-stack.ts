import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { startEmbeddedStack, startRealStack, type TestStack } from './stack.ts';

const stackTimeouts = { startMs: 180_000, stopMs: 60_000 };

/**
 * The test file's real stack (stack.ts), as useForSuite gives it: started before the file's tests,
 * disposed after them, and filled in once it has started, so a file can name it at its top.
 */
export function useRealStack(overrides: Record<string, string> = {}): TestStack {
  return useForSuite(() => startRealStack(overrides), stackTimeouts);
}

/** As useRealStack, for the embedded stack (one process: PGlite, in-process bus). */
export function useEmbeddedStack(overrides: Record<string, string> = {}): TestStack {
  return useForSuite(() => startEmbeddedStack(overrides), stackTimeouts);
}
