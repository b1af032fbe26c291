import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedStack, startRealStack, type TestStack } from './stack.ts';

/**
 * The test file's real stack (stack.ts): started before the file's tests, disposed after them.
 * The object is filled in once the stack has started, so a file can name it at its top. Hooks a
 * file registers after this call run after the stack has started, and their afterAll before it
 * is disposed.
 */
export function useRealStack(overrides: Record<string, string> = {}): TestStack {
  return useStack(() => startRealStack(overrides));
}

/** As useRealStack, for the embedded stack (one process: PGlite, in-process bus). */
export function useEmbeddedStack(overrides: Record<string, string> = {}): TestStack {
  return useStack(() => startEmbeddedStack(overrides));
}

function useStack(start: () => Promise<TestStack>): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await start());
  }, 180_000);
  afterAll(async () => {
    await stack[Symbol.asyncDispose]?.();
  }, 60_000);
  return stack;
}
