import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * The sign-in attempts an operation would make: the response key (alias, or `login`) of each
 * root `login` field of a mutation, once each — fields sharing a response key are merged and
 * run once. Root fields reached through inline fragments and fragment spreads count too. A field
 * under `@skip`/`@include` counts as well: being conservative here costs nothing, since an
 * attempt that produced no failure is released after execution.
 */
export function loginResponseKeys(document: DocumentNode, operation: OperationDefinitionNode): string[] {
  if (operation.operation !== 'mutation') return [];
  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  const keys = new Set<string>();
  const expanded = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      switch (selection.kind) {
        case Kind.FIELD:
          if (selection.name.value === 'login') keys.add(selection.alias?.value ?? 'login');
          break;
        case Kind.INLINE_FRAGMENT:
          visit(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          // Validation already refused fragment cycles; this only avoids expanding one twice.
          if (!fragment || expanded.has(fragment.name.value)) break;
          expanded.add(fragment.name.value);
          visit(fragment.selectionSet);
          break;
        }
      }
    }
  };
  visit(operation.selectionSet);
  return [...keys];
}
