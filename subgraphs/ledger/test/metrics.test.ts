import { randomUUID } from 'node:crypto';
import { createEvent } from '@walletgraph/events';
import { scraped } from '@walletgraph/platform/test/support/metrics';
import { createSubgraphHarness } from '@walletgraph/platform/test/support/subgraph-harness';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { describe, expect, it } from 'vitest';
import { accountId } from '../domain/accounts.ts';
import { ledgerSubgraph } from '../server.ts';
import { deposit, newKey, type TestWallet, transfer } from './harness.ts';

/** The ledger as `pnpm start` runs it (its consumers, over a real database), reached by events alone. */
describe('the ledger’s metrics', () => {
  const h = useForSuite(() => createSubgraphHarness(ledgerSubgraph));

  /** Opens a wallet through the ledger's accounts consumer. */
  async function openWallet(): Promise<TestWallet> {
    const walletId = randomUUID();
    const ownerId = randomUUID();
    await h.deliver(
      createEvent(
        'wallet.opened.v1',
        {
          aggregateId: walletId,
          data: { walletId, ownerId, name: 'Main', currency: 'EUR', isDefault: true },
        },
        { correlationId: randomUUID() },
      ),
    );
    const available = accountId.walletAvailable(walletId);
    return { walletId, ownerId, currency: 'EUR', available, jarId: '', jar: '' };
  }

  const value = (name: string, labels: Record<string, string> = {}, series = name) =>
    scraped(h.metrics, name, labels, series);
  const batches = 'walletgraph_ledger_batch_commands';

  it('counts the entries and postings committed, and the commands of each batch', async () => {
    const [entries, postings, batchCount, commands] = await Promise.all([
      value('walletgraph_ledger_entries_total'),
      value('walletgraph_ledger_postings_total'),
      value(batches, {}, `${batches}_count`),
      value(batches, {}, `${batches}_sum`),
    ]);
    const a = await openWallet();
    const b = await openWallet();
    await h.deliver(deposit(newKey(), a, 1000n));
    await h.deliver(transfer(newKey(), a.available, b.available, 300n));

    expect(await value('walletgraph_ledger_entries_total')).toBe(entries + 2);
    // Two postings an entry: one account debited, one credited.
    expect(await value('walletgraph_ledger_postings_total')).toBe(postings + 4);
    // The harness's consumers take one message at a time: a batch of one command each.
    expect(await value(batches, {}, `${batches}_count`)).toBe(batchCount + 2);
    expect(await value(batches, {}, `${batches}_sum`)).toBe(commands + 2);
  });

  it('counts a refused command by its stable reason, and a replayed key not again', async () => {
    const reason = { reason: 'INSUFFICIENT_FUNDS' };
    const [rejections, entries] = await Promise.all([
      value('walletgraph_ledger_rejections_total', reason),
      value('walletgraph_ledger_entries_total'),
    ]);
    const a = await openWallet();
    const b = await openWallet();
    const key = newKey();
    await h.deliver(transfer(key, a.available, b.available, 500n));
    // The same key again: the ledger answers with the stored refusal and writes nothing.
    await h.deliver(transfer(key, a.available, b.available, 500n));

    expect(await value('walletgraph_ledger_rejections_total', reason)).toBe(rejections + 1);
    expect(await value('walletgraph_ledger_entries_total')).toBe(entries);
  });
});
