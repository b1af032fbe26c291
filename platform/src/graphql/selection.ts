import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * The names of the fields an operation selects on the object a resolver returns, through inline
 * fragments and fragment spreads alike. For a resolver that must decide before its object's
 * fields resolve (a `__resolveReference` answering null rather than an object some of whose
 * selected fields the caller may not see). It errs towards "selected": fragments count whatever
 * their type condition, and fields whatever their `@skip`/`@include`.
 */
export function selectedFieldNames(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Set<string> {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      switch (selection.kind) {
        case Kind.FIELD:
          names.add(selection.name.value);
          break;
        case Kind.INLINE_FRAGMENT:
          visit(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD:
          visit(info.fragments[selection.name.value]?.selectionSet);
          break;
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names;
}
