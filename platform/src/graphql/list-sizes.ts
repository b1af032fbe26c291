import { type DocumentNode, Kind } from 'graphql';

/**
 * The most items each list field can hold, by `Type.field`, as its subgraph declares it with
 * `@listSize(assumedSize: n)` (the cost spec of Federation 2.9) for a list that takes no page
 * size: a subgraph's schema, or the supergraph composed from them, which keeps the directive
 * under that name. Fields without an `assumedSize` are left out.
 */
export function listSizesOf(document: DocumentNode): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION
    )
      continue;
    for (const field of definition.fields ?? []) {
      const listSize = field.directives?.find((directive) => directive.name.value === 'listSize');
      const assumedSize = listSize?.arguments?.find((argument) => argument.name.value === 'assumedSize');
      if (assumedSize?.value.kind === Kind.INT) {
        sizes[`${definition.name.value}.${field.name.value}`] = Number(assumedSize.value.value);
      }
    }
  }
  return sizes;
}
