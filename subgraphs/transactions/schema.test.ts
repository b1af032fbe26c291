import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { operationKinds } from '@walletgraph/events';
import { type EnumTypeDefinitionNode, Kind, parse } from 'graphql';
import { describe, expect, it } from 'vitest';

const typeDefs = parse(readFileSync(join(import.meta.dirname, 'schema.graphql'), 'utf8'));

describe('schema.graphql', () => {
  // The GraphQL enum is written out in the schema (schema first); the events' list is the one
  // the code derives from. A kind added to one and not the other would reach a client as an error.
  it('names exactly the operation kinds the events carry', () => {
    const operationKind = typeDefs.definitions.find(
      (node): node is EnumTypeDefinitionNode =>
        node.kind === Kind.ENUM_TYPE_DEFINITION && node.name.value === 'OperationKind',
    );
    expect(operationKind?.values?.map((value) => value.name.value)).toEqual([...operationKinds]);
  });
});
