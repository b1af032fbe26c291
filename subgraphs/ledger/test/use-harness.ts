import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { createLedgerHarness, type LedgerHarness } from './harness.ts';

/** The ledger harness (harness.ts) of the enclosing suite, as useForSuite gives it. */
export function useLedgerHarness(): LedgerHarness {
  return useForSuite(createLedgerHarness);
}
