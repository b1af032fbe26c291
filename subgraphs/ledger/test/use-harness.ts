import { afterAll, beforeAll } from 'vitest';
import { createLedgerHarness, type LedgerHarness } from './harness.ts';

/**
 * The ledger harness (harness.ts) of the enclosing suite: created before its tests, disposed after
 * them. The object is filled in once the harness is up, so a suite can name it where it begins.
 */
export function useLedgerHarness(): LedgerHarness {
  const harness = {} as LedgerHarness;
  beforeAll(async () => {
    Object.assign(harness, await createLedgerHarness());
  });
  afterAll(async () => {
    await harness[Symbol.asyncDispose]?.();
  });
  return harness;
}
