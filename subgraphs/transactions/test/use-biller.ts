import { type BillerServer, startBillerServer } from '@walletgraph/biller/server';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import type { BillerPolicy } from '../bills/biller-policy.ts';
import { createTransactionsHarness, type TransactionsHarness } from './harness.ts';

/** A transactions harness reaching a simulated biller of its own over HTTP. */
export interface BillsHarness extends AsyncDisposable {
  harness: TransactionsHarness;
  biller: BillerServer;
  /** Validation requests that reached the biller so far: proof of calls made or spared. */
  validationCalls(): number;
  /** Changes the biller's switches (docs/biller.md), e.g. `{ down: true }`. */
  behave(switches: {
    down?: boolean;
    latencyMs?: number;
    hangMs?: number;
    failureRate?: number;
  }): Promise<void>;
}

/**
 * The file's biller (a real `startBillerServer` on a free port) and transactions harness with
 * `BILLER_URL` pointing at it, created before the suite's tests and disposed after them.
 */
export function useBillsHarness(billerPolicy: Partial<BillerPolicy> = {}): BillsHarness {
  return useForSuite(
    async () => {
      const biller = await startBillerServer({ port: 0 });
      let validations = 0;
      biller.server.on('request', (req) => {
        if (req.url?.endsWith('/validations')) validations += 1;
      });
      const harness = await createTransactionsHarness({ env: { BILLER_URL: biller.url }, billerPolicy });
      return {
        harness,
        biller,
        validationCalls: () => validations,
        async behave(switches) {
          const res = await fetch(`${biller.url}/admin/behaviour`, {
            method: 'PUT',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(switches),
          });
          if (!res.ok) throw new Error(`biller refused ${JSON.stringify(switches)}: ${res.status}`);
        },
        async [Symbol.asyncDispose]() {
          await harness[Symbol.asyncDispose]();
          await biller.stop();
        },
      };
    },
    { startMs: 60_000 },
  );
}
