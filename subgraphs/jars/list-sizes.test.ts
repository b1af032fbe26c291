import { listSizesOf } from '@walletgraph/platform/graphql/list-sizes';
import { describe, expect, it } from 'vitest';
import { MAX_ALLOCATION_RULES } from './domain/allocation.ts';
import { MAX_JARS_PER_WALLET } from './domain/jar.ts';
import { jarsSubgraph } from './server.ts';

describe('the list sizes the jars schema declares', () => {
  it('are the caps its domain enforces, which the gateway counts in a query cost', () => {
    expect(listSizesOf(jarsSubgraph.typeDefs)).toEqual({
      'Wallet.jars': MAX_JARS_PER_WALLET,
      'Wallet.allocationRules': MAX_ALLOCATION_RULES,
      'Mutation.setAllocationRules': MAX_ALLOCATION_RULES,
    });
  });
});
