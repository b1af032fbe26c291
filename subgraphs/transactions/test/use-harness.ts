import type { Clock } from '@walletgraph/platform/clock';
import { afterAll, beforeAll } from 'vitest';
import { createTransactionsHarness, type TestUser, type TransactionsHarness } from './harness.ts';

/**
 * The test file's transactions harness (harness.ts): created before the file's tests, disposed
 * after them. The object is filled in once the harness is up, so a file can name it at its top.
 */
export function useTransactionsHarness(options: { clock?: Clock } = {}): TransactionsHarness {
  const harness = {} as TransactionsHarness;
  beforeAll(async () => {
    Object.assign(harness, await createTransactionsHarness(options));
  }, 60_000);
  afterAll(async () => {
    await harness[Symbol.asyncDispose]?.();
  });
  return harness;
}

/**
 * A user registered through `harness` before the file's tests, once the harness is up (hooks run
 * in the order they were declared); filled in then, like the harness.
 */
export function useUser(harness: TransactionsHarness): TestUser {
  const user = {} as TestUser;
  beforeAll(async () => {
    Object.assign(user, await harness.user());
  });
  return user;
}
