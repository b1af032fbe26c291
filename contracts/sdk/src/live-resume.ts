import {
  type ArgumentNode,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  Kind,
  type OperationDefinitionNode,
  print,
  type SelectionSetNode,
  type VariableDefinitionNode,
} from 'graphql';

/**
 * How a subscription resumes: every subscription field takes `after: String`, a cursor from a
 * `next` payload's `extensions.cursor`, and the gateway replays what came after it.
 */

/** A subscription document made resumable, and the variable that carries its cursor. */
export interface Resumable {
  document: DocumentNode;
  /** The variable passed as `after:` to the root field; undefined for a non-subscription. */
  cursorVariable: string | undefined;
}

/** The event's position in the subscriber's feed, when the gateway said it. */
export function cursorOf(result: ExecutionResult<unknown, Record<string, unknown>>): string | undefined {
  const cursor = result.extensions?.cursor;
  return typeof cursor === 'string' ? cursor : undefined;
}

/**
 * Passes a cursor to the root field of a subscription document: kept as it is when the root
 * field already takes `after: $someVariable`; otherwise `after: $after` is added to the root
 * field, and `$after: String` to the operation unless it declares `$after` already.
 * A literal `after: "…"` cannot be moved on, so it is refused.
 */
export function withCursorArgument(document: DocumentNode): Resumable {
  const index = document.definitions.findIndex(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription',
  );
  if (index < 0) return { document, cursorVariable: undefined };
  const operation = document.definitions[index] as OperationDefinitionNode;
  const declared = new Set(
    operation.variableDefinitions?.map((definition) => definition.variable.name.value),
  );
  let cursorVariable = 'after';
  const rewrite = (set: SelectionSetNode): SelectionSetNode | undefined => {
    for (const [at, selection] of set.selections.entries()) {
      let replaced: FieldNode | SelectionSetNode | undefined;
      if (selection.kind === Kind.FIELD) replaced = withAfter(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) replaced = rewrite(selection.selectionSet);
      if (!replaced) continue;
      const node = replaced.kind === Kind.FIELD ? replaced : { ...selection, selectionSet: replaced };
      return { ...set, selections: set.selections.map((one, i) => (i === at ? node : one)) };
    }
    return undefined;
  };
  const withAfter = (field: FieldNode): FieldNode => {
    const after = field.arguments?.find((argument) => argument.name.value === 'after');
    if (after && after.value.kind !== Kind.VARIABLE) {
      throw new Error(`${field.name.value}(after: …) must be a variable for the subscription to resume`);
    }
    if (after?.value.kind === Kind.VARIABLE) {
      cursorVariable = after.value.name.value;
      return field;
    }
    const argument: ArgumentNode = {
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: 'after' },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: 'after' } },
    };
    return { ...field, arguments: [...(field.arguments ?? []), argument] };
  };
  const selectionSet = rewrite(operation.selectionSet);
  if (!selectionSet) return { document, cursorVariable: undefined };
  const variableDefinitions = declared.has(cursorVariable)
    ? operation.variableDefinitions
    : [...(operation.variableDefinitions ?? []), cursorDefinition(cursorVariable)];
  const resumable: OperationDefinitionNode = { ...operation, selectionSet, variableDefinitions };
  return {
    document: {
      ...document,
      definitions: document.definitions.map((one, i) => (i === index ? resumable : one)),
    },
    cursorVariable,
  };
}

function cursorDefinition(name: string): VariableDefinitionNode {
  return {
    kind: Kind.VARIABLE_DEFINITION,
    variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
    type: { kind: Kind.NAMED_TYPE, name: { kind: Kind.NAME, value: 'String' } },
  };
}

/** Each document's resumable query text, printed once. */
const printed = new WeakMap<DocumentNode, { query: string; cursorVariable: string | undefined }>();

/** The query text to send for `document`, with its cursor argument (see `withCursorArgument`). */
export function resumableQuery(document: DocumentNode): {
  query: string;
  cursorVariable: string | undefined;
} {
  let known = printed.get(document);
  if (!known) {
    const { document: withCursor, cursorVariable } = withCursorArgument(document);
    known = { query: print(withCursor), cursorVariable };
    printed.set(document, known);
  }
  return known;
}
