import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin } from '@apollo/server';
import { listSizesOf } from '@walletgraph/platform/graphql/list-sizes';
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isInterfaceType,
  isLeafType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionNode,
  valueFromAST,
} from 'graphql';
import { supergraphFile } from '../gateway.ts';

/**
 * The most items a paginated field hands out at once (`User.wallets`, `Wallet.operations`,
 * `Wallet.statement` all refuse a larger `first`): what a page costs when its size is not given
 * and has no default.
 */
export const MAX_PAGE_SIZE = 100;

/** Arguments that say how many items a field returns. */
const SLICING_ARGUMENTS = new Set(['first', 'last']);

/**
 * Lists that take no page size, by `Type.field`: the most items each can hold, as the subgraph
 * that resolves it declares with `@listSize` (the jars subgraph's own caps). They are read from
 * the supergraph, since the API schema a request is checked against drops the directive. Any
 * other list of objects without a page size counts MAX_PAGE_SIZE.
 */
const LIST_SIZES = listSizesOf(parse(readFileSync(supergraphFile, 'utf8')));

/**
 * What an operation may ask for, as the most values its answer can hold: each field counts 1
 * for every item of the list it is in. A paginated field (one with a `first` or `last`
 * argument) multiplies what it selects by its page size, read with the request's variables:
 * the literal, else the variable's value, else the variable's default, else the argument's
 * schema default, else MAX_PAGE_SIZE (also for a value that is not a number: the request will
 * be refused, but not before this). A connection's page size counts for the lists right below
 * it (`edges`). Fragments count as if written out where they are spread, each computed once.
 * A list of scalars counts as one value (it comes with its object), and `__typename` and
 * introspection fields count nothing (introspection is refused in production).
 *
 * `variables` are the request's raw variables; they are coerced here as execution would.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const walk: Walk = {
    schema,
    fragments,
    variables: coerceVariables(schema, operation, variables ?? {}),
    spreads: new Map(),
  };
  return selectionCost(walk, root, operation.selectionSet.selections, undefined);
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** Each fragment's cost by page size inherited, computed once however often it is spread. */
  spreads: Map<string, number>;
}

/**
 * The variables as execution will see them (defaults applied); when they do not coerce (the
 * request will be refused), the raw values: a page size that is not a number then counts as
 * MAX_PAGE_SIZE.
 */
function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw, { maxErrors: 1 });
  return coerced.coerced ?? raw;
}

function selectionCost(
  walk: Walk,
  type: GraphQLCompositeType,
  selections: readonly SelectionNode[],
  inheritedPage: number | undefined,
): number {
  let cost = 0;
  for (const selection of selections) {
    if (selection.kind === Kind.FIELD) {
      cost += fieldCost(walk, type, selection, inheritedPage);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const condition = selection.typeCondition
        ? walk.schema.getType(selection.typeCondition.name.value)
        : type;
      if (isCompositeType(condition)) {
        cost += selectionCost(walk, condition, selection.selectionSet.selections, inheritedPage);
      }
    } else {
      const name = selection.name.value;
      const key = `${name}/${inheritedPage ?? ''}`;
      const known = walk.spreads.get(key);
      if (known !== undefined) {
        cost += known;
        continue;
      }
      const fragment = walk.fragments.get(name);
      const condition = fragment && walk.schema.getType(fragment.typeCondition.name.value);
      // Validation refuses unknown and cyclic fragments first; the 0 guards against a cycle anyway.
      walk.spreads.set(key, 0);
      const fragmentCost =
        fragment && isCompositeType(condition)
          ? selectionCost(walk, condition, fragment.selectionSet.selections, inheritedPage)
          : 0;
      walk.spreads.set(key, fragmentCost);
      cost += fragmentCost;
    }
  }
  return cost;
}

function fieldCost(
  walk: Walk,
  parent: GraphQLCompositeType,
  node: FieldNode,
  inheritedPage: number | undefined,
): number {
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
  if (!field) return 1;
  const page = pageSize(field, node, walk.variables);
  const type = getNamedType(field.type);
  const isList = isListType(getNullableType(field.type));
  const items =
    isList && !isLeafType(type)
      ? (page ?? inheritedPage ?? LIST_SIZES[`${parent.name}.${name}`] ?? MAX_PAGE_SIZE)
      : 1;
  const selected =
    node.selectionSet && isCompositeType(type)
      ? selectionCost(walk, type, node.selectionSet.selections, isList ? undefined : page)
      : 0;
  return items * (1 + selected);
}

/**
 * How many items a field with a slicing argument asks for, as its resolver will see it; the
 * largest when it has several; undefined for a field without one.
 */
function pageSize(
  field: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Record<string, unknown>,
) {
  let size: number | undefined;
  let sliced = false;
  for (const argument of field.args) {
    if (!SLICING_ARGUMENTS.has(argument.name)) continue;
    sliced = true;
    const given = node.arguments?.find((a) => a.name.value === argument.name)?.value;
    const unset = !given || (given.kind === Kind.VARIABLE && !Object.hasOwn(variables, given.name.value));
    const value = unset ? argument.defaultValue : valueFromAST(given, argument.type, variables);
    // `null` lets the resolver apply its default; anything else not a number is refused later.
    const effective = value === null ? argument.defaultValue : value;
    if (unset && effective === undefined) continue;
    const n =
      typeof effective === 'number' && Number.isFinite(effective) ? Math.max(0, effective) : MAX_PAGE_SIZE;
    size = Math.max(size ?? 0, n);
  }
  return sliced ? (size ?? MAX_PAGE_SIZE) : undefined;
}

export interface CostLimitOptions {
  maxCost: number;
  /** Whether the refusal says the limit and the cost found (outside production, like graphql-armor's `exposeLimits`). */
  exposeLimits: boolean;
}

export interface CostLimit {
  /** For Apollo Server: refuses an operation over the limit once it is parsed, validated and its variables known. */
  plugin: ApolloServerPlugin;
  /**
   * The operation's cost, or the refusal to answer with when it is over the limit (the graphql-ws
   * path, which checks subscriptions itself).
   */
  check(
    schema: GraphQLSchema,
    document: DocumentNode,
    operationName: string | null | undefined,
    variables: Record<string, unknown> | null | undefined,
  ): { cost: number; refusal: GraphQLError | null };
}

/**
 * The operation cost limit (see `operationCost`), checked with the request's variables, over
 * HTTP and over graphql-ws alike. A refusal is a GRAPHQL_VALIDATION_FAILED error with HTTP
 * status 400, like graphql-armor's other limits; in production it does not say the limit or the
 * cost, so the limit cannot be found by probing.
 */
export function createCostLimit(options: CostLimitOptions): CostLimit {
  const check: CostLimit['check'] = (schema, document, operationName, variables) => {
    const cost = operationCost(schema, document, operationName, variables);
    if (cost <= options.maxCost) return { cost, refusal: null };
    const message = options.exposeLimits
      ? `Query cost limit of ${options.maxCost} exceeded, found ${cost}: a list counts each of its items, a page as many as its first/last argument asks for.`
      : 'Query validation error: the query asks for too much at once.';
    return {
      cost,
      refusal: new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
    };
  };
  return {
    check,
    plugin: {
      async requestDidStart() {
        return {
          async didResolveOperation({ schema, document, request }) {
            const { refusal } = check(schema, document, request.operationName, request.variables);
            if (refusal) {
              throw new GraphQLError(refusal.message, {
                extensions: { ...refusal.extensions, http: { status: 400 } },
              });
            }
          },
        };
      },
    },
  };
}
