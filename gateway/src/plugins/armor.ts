import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError } from 'graphql';

/**
 * Limits on what one operation may ask for, checked before any subgraph is called. Sized so
 * the deepest query the API supports (`wallet { statement { edges { node { operation { wallet
 * { balance { total { amount } } } } } } } }`, depth 9), one page of 100 items with a handful of
 * fields, and Sandbox's introspection fit with room to spare; nested pagination
 * (`first: 100` inside `first: 100`) and alias or directive floods do not.
 */
export const armorLimits = {
  maxDepth: 12,
  maxAliases: 15,
  maxTokens: 1_000,
  maxDirectives: 20,
  maxCost: 10_000,
} as const;

export type ArmorProtection = ReturnType<ApolloArmor['protect']> & {
  /** For Apollo Server's `parseOptions`: parsing stops with a syntax error past this many tokens. */
  parseOptions: { maxTokens: number };
  /**
   * Validation errors as a client may see them where Apollo Server's plugins do not run (the
   * graphql-ws path): in production "Did you mean …?" is masked, as the armor plugin masks it
   * over HTTP.
   */
  hideSuggestions(errors: readonly GraphQLError[]): GraphQLError[];
};

const SUGGESTION = /Did you mean ".+"\?/g;

/**
 * graphql-armor for Apollo Server: depth, alias, directive and cost limits (each rejection is a
 * GRAPHQL_VALIDATION_FAILED error, status 400), plus the token limit as graphql-js parse options
 * (GRAPHQL_PARSE_FAILED). In production the armor limits are not echoed back and field
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
    costLimit: { maxCost: armorLimits.maxCost, flattenFragments: true, exposeLimits },
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
  return { ...protection, parseOptions: { maxTokens: armorLimits.maxTokens }, hideSuggestions };
}
