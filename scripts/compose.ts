/**
 * `pnpm compose`: composes the subgraph schemas into gateway/supergraph.graphql and
 * gateway/api-schema.graphql. `pnpm compose:check` (CI) only compares and exits 1 when the
 * committed files differ from a fresh composition.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  apiSchemaPath,
  type ComposedSupergraph,
  CompositionError,
  composeSupergraph,
  repoRoot,
  supergraphPath,
} from './supergraph.ts';

const check = process.argv.includes('--check');

let composed: ComposedSupergraph;
try {
  composed = composeSupergraph();
} catch (error) {
  if (error instanceof CompositionError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const outputs = [
  { path: supergraphPath, content: composed.supergraphSdl },
  { path: apiSchemaPath, content: composed.apiSchemaSdl },
];

if (check) {
  const stale = outputs.filter(
    ({ path, content }) => !existsSync(path) || readFileSync(path, 'utf8') !== content,
  );
  if (stale.length > 0) {
    const names = stale.map(({ path }) => `  ${relative(repoRoot, path)}`).join('\n');
    console.error(
      `composed schemas are stale (the subgraph schemas changed since):\n${names}\nrun pnpm compose`,
    );
    process.exit(1);
  }
  console.log('composed schemas are up to date');
} else {
  for (const { path, content } of outputs) {
    writeFileSync(path, content);
    console.log(`wrote ${relative(repoRoot, path)}`);
  }
}
