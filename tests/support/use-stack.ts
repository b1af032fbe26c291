import { afterAll, beforeAll } from 'vitest';
import { startRealStack, type TestStack } from './stack.ts';

/**
 * The test file's real stack (stack.ts): started before the file's tests, disposed after them.
 * The object is filled in once the stack has started, so a file can name it at its top.
 */
export function useRealStack(overrides: Record<string, string> = {}): TestStack {
  const stack = {} as TestStack;
  beforeAll(async () => {
    Object.assign(stack, await startRealStack(overrides));
  }, 180_000);
  afterAll(async () => {
    await stack[Symbol.asyncDispose]?.();
  }, 60_000);
  return stack;
}
