import { listSizesOf } from '@walletgraph/platform/graphql/list-sizes';
import { describe, expect, it } from 'vitest';
import { MAX_LISTED_SCHEDULES } from './schedule-reads.ts';
import { transactionsSubgraph } from './server.ts';

describe('the list sizes the transactions schema declares', () => {
  it('are the caps its reads enforce, which the gateway counts in a query cost', () => {
    expect(listSizesOf(transactionsSubgraph.typeDefs)).toEqual({
      'Wallet.scheduledPayments': MAX_LISTED_SCHEDULES,
    });
  });
});
