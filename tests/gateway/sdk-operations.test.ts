import { globSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createArmor } from '@walletgraph/gateway/plugins/armor';
import * as sdk from '@walletgraph/sdk';
import {
  type ASTNode,
  buildSchema,
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
  visit,
} from 'graphql';
import { describe, expect, it } from 'vitest';

const apiSchema = buildSchema(
  readFileSync(join(import.meta.dirname, '../../gateway/api-schema.graphql'), 'utf8'),
);
const armor = createArmor({ isProduction: true });

/** Where the SDK keeps the operations its typed documents are generated from (codegen.ts). */
const operationsDir = join(import.meta.dirname, '../../contracts/sdk/src/operations');
const definitions = globSync('**/*.graphql', { cwd: operationsDir })
  .sort()
  .flatMap((file) =>
    parse(readFileSync(join(operationsDir, file), 'utf8')).definitions.map((definition) => ({
      file,
      definition,
    })),
  );
// Codegen resolves a fragment spread against every file, so a fragment may live in another one.
const fragments = new Map(
  definitions
    .map(({ definition }) => definition)
    .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
    .map((fragment) => [fragment.name.value, fragment]),
);
const operations = definitions.flatMap(({ file, definition }) =>
  definition.kind === Kind.OPERATION_DEFINITION
    ? [{ name: definition.name?.value ?? '(anonymous)', file, document: withFragments(definition) }]
    : [],
);

/** The operation as a client sends it: with every fragment it spreads, directly or through another. */
function withFragments(operation: OperationDefinitionNode): DocumentNode {
  const used = new Map<string, FragmentDefinitionNode>();
  const collect = (node: ASTNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`${operation.name?.value} spreads unknown fragment ${name}`);
        if (used.has(name)) return;
        used.set(name, fragment);
        collect(fragment);
      },
    });
  collect(operation);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...used.values()] };
}

describe('the SDK operations', () => {
  it('are all read from the operation files: one for each document the SDK exports', () => {
    const exported = Object.keys(sdk)
      .filter((name) => name.endsWith('Document'))
      .map((name) => name.slice(0, -'Document'.length));
    expect(operations.map((o) => o.name).sort()).toEqual(exported.sort());
  });

  it.each(operations)(
    '$name ($file) is valid against the API schema and within the gateway limits',
    ({ document }) => {
      const errors = validate(apiSchema, document, [...specifiedRules, ...armor.validationRules]);
      expect(errors.map((e) => e.message)).toEqual([]);
      // With no variables a page size given as one counts as large as a page can be.
      expect(armor.checkCost(apiSchema, document, undefined, {}).refusal).toBeNull();
    },
  );
});
