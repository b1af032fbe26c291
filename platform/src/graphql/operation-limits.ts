import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationRule } from 'graphql';

/**
 * Limits on what one operation may ask for, applied by the gateway before any subgraph is
 * called (gateway/src/plugins/armor.ts) and by every subgraph at its own port. Sized so the
 * deepest query the API supports (`wallet { statement { edges { node { operation { wallet
 * { balance { total { amount } } } } } } } }`, depth 9), one page of 100 items with a handful of
 * fields (about 2,000 by the gateway's cost count), every wallet of a user with all its jars,
 * rules and a default page of operations (about 12,700), and Sandbox's introspection fit;
 * nested pagination (`first: 100` inside `first: 100`, about 30,000, whether the 100 is written
 * in the query or passed as a variable) and alias or directive floods do not.
 */
export const operationLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 1_000,
  maxDirectives: 20,
  maxCost: 20_000,
} as const;

/** graphql-armor's part of the limits, for an Apollo Server. */
export interface ArmorLimits {
  /** Its types are Apollo Server's CommonJS ones, hence the cast where they are made. */
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
}

/**
 * graphql-armor's depth, alias and directive limits at `operationLimits`, with field suggestions
 * ("Did you mean …?") blocked and the limits not echoed back in production. Tokens are counted
 * by graphql-js itself (parse options: armor's plugin would throw from parsingDidStart, which
 * Apollo Server answers with a 500), and cost by the gateway's own count, which reads variables.
 */
export function armorLimits(options: { isProduction: boolean }): ArmorLimits {
  const exposeLimits = !options.isProduction;
  const protection = new ApolloArmor({
    maxDepth: { n: operationLimits.maxDepth, flattenFragments: true, exposeLimits },
    maxAliases: { n: operationLimits.maxAliases, exposeLimits },
    maxTokens: { enabled: false },
    maxDirectives: { n: operationLimits.maxDirectives, exposeLimits },
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.isProduction },
  }).protect();
  return {
    plugins: protection.plugins as unknown as ApolloServerPlugin[],
    validationRules: protection.validationRules,
  };
}

export interface SubgraphOperationLimits extends ArmorLimits {
  parseOptions: { maxTokens: number };
}

/**
 * The gateway's limits at a subgraph's own port, for whoever reaches it without the gateway:
 * the same depth, alias and directive limits (the gateway's fetches stay within them: a fetch
 * holds a part of the client's operation, and `_entities` takes the place of the path above
 * it), and twice the tokens, since a fetch adds `__typename` and key fields at every entity
 * boundary. The cost limit stays the gateway's: a fetch's cost depends on how many
 * representations the plan batches into it, which the client's operation already bounded.
 */
export function subgraphOperationLimits(options: { isProduction: boolean }): SubgraphOperationLimits {
  return { ...armorLimits(options), parseOptions: { maxTokens: 2 * operationLimits.maxTokens } };
}
