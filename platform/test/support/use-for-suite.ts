import { afterAll, beforeAll } from 'vitest';

/** How long creating and disposing may take; vitest's hook timeout where not given. */
export interface SuiteHookTimeouts {
  startMs?: number;
  stopMs?: number;
}

/**
 * What `create` makes, created before the enclosing suite's tests (the file's, at its top) and
 * disposed after them. The object is filled in once it has been created, so a suite can name it
 * where it begins. Hooks the suite registers after this call run after it has been created, and
 * their afterAll before it is disposed. Its own properties are copied in: `create` returns a plain
 * object, not a class instance or getters.
 */
export function useForSuite<T extends AsyncDisposable>(
  create: () => Promise<T>,
  timeouts: SuiteHookTimeouts = {},
): T {
  const resource = {} as T;
  beforeAll(async () => {
    Object.assign(resource, await create());
  }, timeouts.startMs);
  afterAll(async () => {
    // Never filled in when `create` failed: nothing to dispose.
    await resource[Symbol.asyncDispose]?.();
  }, timeouts.stopMs);
  return resource;
}
