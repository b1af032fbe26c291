import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { beforeAll } from 'vitest';
import {
  createTransactionsHarness,
  type TestUser,
  type TransactionsHarness,
  type TransactionsHarnessOptions,
} from './harness.ts';

/** The test file's transactions harness (harness.ts), as useForSuite gives it. */
export function useTransactionsHarness(options: TransactionsHarnessOptions = {}): TransactionsHarness {
  return useForSuite(() => createTransactionsHarness(options), { startMs: 60_000 });
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
