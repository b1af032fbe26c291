/**
 * `pnpm codegen:check` (CI): regenerates every codegen output in memory and compares it with the
 * files in the tree, so it never touches a developer's working copy. Fails with the stale,
 * missing and left-over files listed.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { generate } from '@graphql-codegen/cli';
import config from '../codegen.ts';

const root = join(import.meta.dirname, '..');
// codegen resolves the schema, document and output paths of codegen.ts against the working directory.
process.chdir(root);

// With saveToFile false, generate returns the outputs instead of writing them.
const outputs: Array<{ filename: string; content: string }> = await generate(
  { ...config, cwd: root, silent: true },
  false,
);
const expected = new Map(outputs.map((o) => [resolve(root, o.filename), o.content]));

const problems: string[] = [];
for (const [path, content] of expected) {
  if (!existsSync(path)) problems.push(`missing: ${relative(root, path)}`);
  else if (readFileSync(path, 'utf8') !== content) problems.push(`stale:   ${relative(root, path)}`);
}
// A file codegen no longer produces (a removed document, a changed preset) must go too.
const outputDirs = new Set([...expected.keys()].map((path) => dirname(path)));
for (const dir of outputDirs) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!expected.has(path)) problems.push(`extra:   ${relative(root, path)}`);
  }
}

if (problems.length > 0) {
  console.error(`generated files are stale: run pnpm codegen\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`generated files are up to date (${expected.size} files)`);
