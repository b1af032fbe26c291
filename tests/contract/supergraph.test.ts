import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema } from 'graphql';
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
});
