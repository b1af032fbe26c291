import { waitFor } from '@walletgraph/platform/test/support/infra';
import { createClient, DepositDocument, MeDocument } from '@walletgraph/sdk';
import { describe, expect, it } from 'vitest';
import { eur, newKey, register } from '../support/money.ts';
import { scrape } from '../support/prometheus.ts';
import { useEmbeddedStack } from '../support/use-stack.ts';

/**
 * Embedded mode is one process with one registry: its metrics port serves the gateway's and the
 * five subgraphs' metrics together, the subgraphs telling themselves apart by label, though they
 * run in-process without Apollo Servers or a broker of their own (docs/metrics.md).
 */

const stack = useEmbeddedStack();

describe('metrics in embedded mode', () => {
  it('serves the gateway’s and every subgraph’s metrics on the one metrics port', async () => {
    const { accessToken: token } = await register(stack.url, 'Ada');
    const client = createClient({ url: stack.url, token });
    const walletId = await waitFor('the default wallet', async () => {
      const me = await client.request(MeDocument);
      return me.data?.me?.defaultWallet?.id;
    });
    const deposited = await client.request(DepositDocument, {
      input: { walletId, amount: eur(1_000n), idempotencyKey: newKey('metrics') },
      waitMs: 10_000,
    });
    expect(deposited.data?.deposit.status).toBe('COMPLETED');

    const metrics = await scrape(`http://127.0.0.1:${stack.config.GATEWAY_METRICS_PORT}/metrics`);
    expect(metrics.value('walletgraph_gateway_requests_total', { operation: 'Deposit', outcome: 'ok' })).toBe(
      1,
    );
    // The subgraphs executed in-process time their operations as their Apollo Servers would.
    for (const subgraph of ['identity', 'wallet', 'transactions']) {
      expect(
        metrics.value('walletgraph_subgraph_operation_duration_seconds_count', { subgraph }),
        subgraph,
      ).toBeGreaterThan(0);
    }
    expect(
      metrics.value('walletgraph_subgraph_operation_duration_seconds_count', {
        subgraph: 'transactions',
        operation_type: 'mutation',
        outcome: 'ok',
      }),
    ).toBeGreaterThan(0);
    // The deposit went through the ledger's consumer on the in-process bus, and posted.
    expect(
      metrics.value('walletgraph_consumer_messages_total', { subgraph: 'ledger', result: 'handled' }),
    ).toBeGreaterThan(0);
    expect(metrics.value('walletgraph_ledger_postings_total')).toBeGreaterThanOrEqual(2);
    expect(metrics.value('walletgraph_db_pool_max_connections', { subgraph: 'ledger' })).toBe(1);
    expect(metrics.text).toContain('process_cpu_seconds_total');
  });
});
