import {
  type ExecutionArgs,
  GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import type { SubscribePayload } from 'graphql-ws';
import type { ArmorProtection } from '../plugins/armor.ts';

/** The same operation limits as HTTP requests (plugins/armor.ts): tokens, depth, aliases, cost (with variables). */
export type OperationLimits = Pick<
  ArmorProtection,
  'parseOptions' | 'validationRules' | 'hideSuggestions' | 'checkCost'
>;

/** A subscription ready to run, with the cost each of its events will be charged. */
export interface CheckedSubscription {
  args: ExecutionArgs;
  cost: number;
}

/**
 * Parses and validates a `subscribe` payload once, under the HTTP limits: what graphql-ws then
 * executes is exactly what was checked. Only subscriptions are served over the socket, and one
 * over the cost limit is refused here, since each event re-runs its selection.
 */
export function checkSubscription(
  schema: GraphQLSchema,
  limits: OperationLimits,
  payload: SubscribePayload,
): CheckedSubscription | readonly GraphQLError[] {
  let document: ReturnType<typeof parse>;
  try {
    document = parse(payload.query, limits.parseOptions);
  } catch (error) {
    return [error as GraphQLError];
  }
  const errors = validate(schema, document, [...specifiedRules, ...limits.validationRules]);
  if (errors.length > 0) return limits.hideSuggestions(errors);
  const operation = getOperationAST(document, payload.operationName);
  if (operation?.operation !== 'subscription') {
    return [
      new GraphQLError(
        'Only subscriptions are served over WebSocket: send queries and mutations over HTTP.',
        {
          extensions: { code: 'BAD_REQUEST' },
        },
      ),
    ];
  }
  const { cost, refusal } = limits.checkCost(schema, document, payload.operationName, payload.variables);
  if (refusal) return [refusal];
  return {
    args: {
      schema,
      document,
      operationName: payload.operationName ?? null,
      variableValues: payload.variables ?? null,
    },
    cost,
  };
}
