import { defineSubgraph, type RequestContext } from '@walletgraph/platform/subgraph';
import * as schema from './db/schema.ts';
import { consumers } from './events.ts';
import { resolvers } from './resolvers.ts';

export type Context = RequestContext<typeof schema>;

/** The jars subgraph: jars, `Wallet.jars`; creates every wallet's Income jar. */
export const jarsSubgraph = defineSubgraph({
  name: 'jars',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  consumers,
});
