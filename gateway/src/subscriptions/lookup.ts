import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLResolveInfo,
  Kind,
  print,
  type SelectionNode,
  type VariableDefinitionNode,
  visit,
} from 'graphql';

/** Runs a query against the supergraph as the subscriber (the gateway's own Apollo Server). */
export type RunQuery = (
  document: DocumentNode,
  variables: Record<string, unknown>,
) => Promise<{ data?: Record<string, unknown> | null; errors?: readonly GraphQLFormattedError[] }>;

/** The query fields an event's ids are looked up with (docs/architecture.md §8: the subscription's query twin). */
export type LookupField = 'wallet' | 'operation' | 'jar';

const ID_VARIABLE = '__eventId';

/**
 * The query that reads what the client selected under one field of its subscription, for the
 * event's id: `query ($__eventId: ID!, …) { <alias>: wallet(id: $__eventId) { …selection } }`,
 * with exactly the fragments and variables that selection uses, so aliases, fragments and
 * variables keep their meaning and each event is read with the subscriber's own token (the owner
 * check runs again on every event).
 */
export function lookupQuery(info: GraphQLResolveInfo, field: LookupField): DocumentNode {
  const selections = info.fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []);
  const fragments = usedFragments(selections, info.fragments);
  const used = usedVariables([...selections, ...fragments.flatMap((f) => f.selectionSet.selections)]);
  const variableDefinitions: VariableDefinitionNode[] = [
    {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ID_VARIABLE } },
      type: {
        kind: Kind.NON_NULL_TYPE,
        type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'ID' } },
      },
    },
    ...(info.operation.variableDefinitions ?? []).filter((d) => used.has(d.variable.name.value)),
  ];
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: 'query' as never,
        ...(info.operation.name ? { name: info.operation.name } : {}),
        variableDefinitions,
        selectionSet: {
          kind: Kind.SELECTION_SET,
          selections: [
            {
              kind: Kind.FIELD,
              alias: { kind: Kind.NAME, value: String(info.path.key) },
              name: { kind: Kind.NAME, value: field },
              arguments: [
                {
                  kind: Kind.ARGUMENT,
                  name: { kind: Kind.NAME, value: 'id' },
                  value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: ID_VARIABLE } },
                },
              ],
              selectionSet: { kind: Kind.SELECTION_SET, selections },
            },
          ],
        },
      },
      ...fragments,
    ],
  };
}

/**
 * Lookups already made for an event, by the query and variables they ran with. A user's event
 * reaches each of their subscriptions as one notice object, so subscriptions asking for the same
 * thing (one app's several sockets) share one read through the supergraph; the notice's channel
 * is its user's alone, so nothing is shared between users.
 */
const sharedLookups = new WeakMap<object, Map<string, ReturnType<RunQuery>>>();

/**
 * Reads one event's object through the supergraph; throws the supergraph's error, if any.
 * `event` is the notice being delivered: lookups for the same event with the same query share one read.
 */
export async function lookup(
  run: RunQuery,
  info: GraphQLResolveInfo,
  field: LookupField,
  id: string,
  event: object,
): Promise<unknown> {
  const variables = { ...info.variableValues, [ID_VARIABLE]: id };
  const document = lookupQuery(info, field);
  const key = `${print(document)}\n${JSON.stringify(variables)}`;
  let lookups = sharedLookups.get(event);
  if (!lookups) {
    lookups = new Map();
    sharedLookups.set(event, lookups);
  }
  let pending = lookups.get(key);
  if (!pending) {
    pending = run(document, variables);
    lookups.set(key, pending);
  }
  const result = await pending;
  const [error] = result.errors ?? [];
  if (error) throw Object.assign(new Error(error.message), { extensions: error.extensions ?? {} });
  return result.data?.[String(info.path.key)] ?? null;
}

/** The fragments a selection spreads, transitively. */
function usedFragments(
  selections: readonly SelectionNode[],
  all: Record<string, FragmentDefinitionNode>,
): FragmentDefinitionNode[] {
  const found = new Map<string, FragmentDefinitionNode>();
  const walk = (nodes: readonly SelectionNode[]) => {
    for (const node of nodes) {
      visit(node, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          const fragment = all[name];
          if (!fragment || found.has(name)) return;
          found.set(name, fragment);
          walk(fragment.selectionSet.selections);
        },
      });
    }
  };
  walk(selections);
  return [...found.values()];
}

function usedVariables(selections: readonly SelectionNode[]): Set<string> {
  const names = new Set<string>();
  for (const node of selections) {
    visit(node, {
      Variable(variable) {
        names.add(variable.name.value);
      },
    });
  }
  return names;
}
