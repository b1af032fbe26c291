/**
 * Offline composition of the five subgraph schemas, from their schema files and never from
 * running servers: the supergraph is a reviewed, committed file, and composing it needs nothing
 * started. Shared by `scripts/compose.ts` and the contract tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { defaultPorts, subgraphNames } from '@walletgraph/platform/config';
import { type GraphQLSchema, parse, printSchema } from 'graphql';

export const repoRoot = join(import.meta.dirname, '..');
/** The committed supergraph the gateway executes (and Apollo Router could run). */
export const supergraphPath = join(repoRoot, 'gateway/supergraph.graphql');
/** The committed API schema clients see; codegen and the contract test read it. */
export const apiSchemaPath = join(repoRoot, 'gateway/api-schema.graphql');

const header = '# Composed by `pnpm compose` from subgraphs/*/schema.graphql. Do not edit.\n';

export interface ComposedSupergraph {
  /** The supergraph SDL, as written to gateway/supergraph.graphql. */
  supergraphSdl: string;
  /** The API schema SDL, as written to gateway/api-schema.graphql. */
  apiSchemaSdl: string;
  apiSchema: GraphQLSchema;
}

/** Composition failed; `errors` holds one line per composition error, with its code. */
export class CompositionError extends Error {
  override name = 'CompositionError';
  readonly errors: string[];
  constructor(errors: string[]) {
    super(`supergraph composition failed:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    this.errors = errors;
  }
}

/**
 * Composes `subgraphs/<name>/schema.graphql` for every subgraph. The routing URLs written into
 * the supergraph are the local defaults (`http://localhost:400N/graphql`); the gateway replaces
 * them from its configuration at run time, so the file does not depend on the environment.
 */
export function composeSupergraph(root = repoRoot): ComposedSupergraph {
  const services = subgraphNames.map((name) => ({
    name,
    url: `http://localhost:${defaultPorts[name]}/graphql`,
    typeDefs: parse(readFileSync(join(root, 'subgraphs', name, 'schema.graphql'), 'utf8')),
  }));
  const result = composeServices(services);
  if (result.errors) {
    throw new CompositionError(
      result.errors.map((e) => {
        const code = e.extensions?.code;
        return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
      }),
    );
  }
  const apiSchema = result.schema.toAPISchema().toGraphQLJSSchema();
  return {
    supergraphSdl: `${header}${result.supergraphSdl.trimEnd()}\n`,
    apiSchemaSdl: `${header}${printSchema(apiSchema)}\n`,
    apiSchema,
  };
}
