import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildSchema,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaPath, composeSupergraph, repoRoot, supergraphPath } from '../../scripts/supergraph.ts';
import { contractViolations } from './contract.ts';

const composed = composeSupergraph();

describe('the composed supergraph', () => {
  it('matches the committed gateway/supergraph.graphql (run pnpm compose when it does not)', () => {
    expect(readFileSync(supergraphPath, 'utf8')).toBe(composed.supergraphSdl);
  });

  it('matches the committed gateway/api-schema.graphql (run pnpm compose when it does not)', () => {
    expect(readFileSync(apiSchemaPath, 'utf8')).toBe(composed.apiSchemaSdl);
  });

  it('offers every type, field, argument and enum value of contracts/api.graphql', () => {
    const contract = buildSchema(readFileSync(join(repoRoot, 'contracts/api.graphql'), 'utf8'));
    const violations = contractViolations(contract, composed.apiSchema);
    expect(violations, `the API schema breaks the contract:\n${violations.join('\n')}`).toEqual([]);
  });

  // Descriptions are what clients read in introspection and Sandbox: they explain the API in its
  // own terms and name no file of ours, which a client cannot open.
  it('describes the API without naming internal documents or files', () => {
    const leaks = descriptions(composed.apiSchema).filter(({ text }) => /\.(md|ts)\b|§/.test(text));
    expect(leaks.map(({ where }) => where)).toEqual([]);
  });
});

/** Every description in a schema, with the coordinate it belongs to. */
function descriptions(schema: GraphQLSchema): { where: string; text: string }[] {
  const found: { where: string; text: string }[] = [];
  const add = (where: string, text: string | null | undefined) => {
    if (text) found.push({ where, text });
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    add(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        add(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) add(`${type.name}.${field.name}(${arg.name})`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        add(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) add(`${type.name}.${value.name}`, value.description);
    }
  }
  return found;
}
