import {
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';

/**
 * The response keys (alias, or the field name) of an operation's root fields named one of
 * `names`, once each: fields sharing a response key are merged and run once. Root fields reached
 * through inline fragments and fragment spreads count too, and fields under `@skip`/`@include`
 * as well (erring towards "will run").
 */
export function rootFieldResponseKeys(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  names: ReadonlySet<string>,
): string[] {
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
          if (names.has(selection.name.value)) keys.add(selection.alias?.value ?? selection.name.value);
          break;
        case Kind.INLINE_FRAGMENT:
          visit(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const fragment = fragments.get(selection.name.value);
          // Validation refuses fragment cycles; this only avoids expanding one twice.
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

/**
 * The mutations that hash a password (scrypt at 128 MiB, a few hundred milliseconds of a core
 * each): what a request may carry only one of.
 */
export const passwordHashingFields: ReadonlySet<string> = new Set(['register', 'login', 'changePassword']);

/**
 * A validation rule: a mutation may carry at most one password-hashing field (aliases and
 * fragments included). Fifteen aliased sign-ins in one request would otherwise buy fifteen
 * scrypt runs for the price of one HTTP request. The gateway and identity both apply it, so
 * neither path runs any of them.
 */
export function singlePasswordField(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation !== 'mutation') return;
      const keys = rootFieldResponseKeys(context.getDocument(), node, passwordHashingFields);
      if (keys.length <= 1) return;
      context.reportError(
        new GraphQLError(
          `at most one of ${[...passwordHashingFields].join(', ')} per request; this one has ${keys.length} (${keys.join(', ')})`,
          { nodes: node },
        ),
      );
    },
  };
}
