import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';
import { type CostLimit, createCostLimit } from './cost-limit.ts';

/**
 * Limits on what one operation may ask for, checked before any subgraph is called. Sized so
 * the deepest query the API supports (`wallet { statement { edges { node { operation { wallet
 * { balance { total { amount } } } } } } } }`, depth 9), one page of 100 items with a handful of
 * fields (about 2,000 by cost-limit.ts's count), every wallet of a user with all its jars,
 * rules and a default page of operations (about 12,700), and Sandbox's introspection fit;
 * nested pagination (`first: 100` inside `first: 100`, about 30,000, whether the 100 is written
 * in the query or passed as a variable) and alias or directive floods do not.
 */
export const armorLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 1_000,
  maxDirectives: 20,
  maxCost: 20_000,
} as const;

export type ArmorProtection = Omit<ReturnType<ApolloArmor['protect']>, 'plugins'> & {
  /** graphql-armor's plugins (its types are Apollo Server's CommonJS ones) and the cost limit's. */
  plugins: ApolloServerPlugin[];
  /** For Apollo Server's `parseOptions`: parsing stops with a syntax error past this many tokens. */
  parseOptions: { maxTokens: number };
  /**
   * Validation errors as a client may see them where Apollo Server's plugins do not run (the
   * graphql-ws path): in production "Did you mean …?" is masked, as the armor plugin masks it
   * over HTTP.
   */
  hideSuggestions(errors: readonly GraphQLError[]): GraphQLError[];
  /** The cost limit with the operation's variables (cost-limit.ts), for the graphql-ws path; its Apollo plugin is in `plugins`. */
  checkCost: CostLimit['check'];
};

const SUGGESTION = /Did you mean ".+"\?/g;

/**
 * graphql-armor for Apollo Server: depth, alias and directive limits, and our own cost limit
 * (cost-limit.ts: graphql-armor's counts a page size only when it is a literal, so `first: $n`
 * went uncounted). Each rejection is a GRAPHQL_VALIDATION_FAILED error, status 400. The token
 * limit is graphql-js parse options (GRAPHQL_PARSE_FAILED). In production the armor limits are not echoed back and field
 * suggestions ("Did you mean …?") are masked, so the schema cannot be mapped by probing once
 * introspection is off.
 */
export function createArmor(options: { isProduction: boolean }): ArmorProtection {
  const exposeLimits = !options.isProduction;
  const protection = new ApolloArmor({
    maxDepth: { n: armorLimits.maxDepth, flattenFragments: true, exposeLimits },
    maxAliases: { n: armorLimits.maxAliases, exposeLimits },
    // Token counting is done by graphql-js itself (see `parseOptions`): armor's Apollo plugin
    // throws from parsingDidStart, which Apollo Server reports as a 500 internal error.
    maxTokens: { enabled: false },
    maxDirectives: { n: armorLimits.maxDirectives, exposeLimits },
    // Counted with the request's variables by cost-limit.ts instead (one cost limit, not two).
    costLimit: { enabled: false },
    blockFieldSuggestion: { enabled: options.isProduction },
  }).protect();
  const hideSuggestions = (errors: readonly GraphQLError[]) =>
    options.isProduction
      ? errors.map(
          (error) =>
            new GraphQLError(error.message.replace(SUGGESTION, '[Suggestion hidden]').trim(), {
              nodes: error.nodes,
              source: error.source,
              positions: error.positions,
              path: error.path,
              originalError: error.originalError,
              extensions: error.extensions,
            }),
        )
      : [...errors];
  const cost = createCostLimit({ maxCost: armorLimits.maxCost, exposeLimits });
  return {
    ...protection,
    plugins: [...(protection.plugins as unknown as ApolloServerPlugin[]), cost.plugin],
    parseOptions: { maxTokens: armorLimits.maxTokens },
    hideSuggestions,
    checkCost: cost.check,
  };
}
