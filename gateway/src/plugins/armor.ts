import {
  type ArmorLimits,
  armorLimits,
  operationLimits,
} from '@walletgraph/platform/graphql/operation-limits';
import { GraphQLError } from 'graphql';
import { type CostLimit, createCostLimit } from './cost-limit.ts';

/** graphql-armor's limits (its `plugins` with the cost limit's added), and the gateway's own. */
export type ArmorProtection = ArmorLimits & {
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
  const protection = armorLimits(options);
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
  const cost = createCostLimit({ maxCost: operationLimits.maxCost, exposeLimits: !options.isProduction });
  return {
    ...protection,
    plugins: [...protection.plugins, cost.plugin],
    parseOptions: { maxTokens: operationLimits.maxTokens },
    hideSuggestions,
    checkCost: cost.check,
  };
}
