import { identitySubgraph } from '@walletgraph/identity';
import { jarsSubgraph } from '@walletgraph/jars';
import { ledgerSubgraph } from '@walletgraph/ledger';
import type { SubgraphName } from '@walletgraph/platform/config';
import type { SubgraphDefinition } from '@walletgraph/platform/subgraph';
import { transactionsSubgraph } from '@walletgraph/transactions';
import { walletSubgraph } from '@walletgraph/wallet';

/** Every subgraph's definition, by name: what both run modes start. */
// biome-ignore lint/suspicious/noExplicitAny: each definition has its own schema and services types.
export const subgraphDefinitions: Record<SubgraphName, SubgraphDefinition<any, any>> = {
  identity: identitySubgraph,
  wallet: walletSubgraph,
  jars: jarsSubgraph,
  transactions: transactionsSubgraph,
  ledger: ledgerSubgraph,
};
