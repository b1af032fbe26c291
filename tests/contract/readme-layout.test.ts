import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/supergraph.ts';

// The README's "Layout" is where a newcomer starts reading the tree: every place it names must
// exist, and every top-level folder must be named, or the map and the house drift apart.
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const layout = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const subgraphs = readdirSync(join(repoRoot, 'subgraphs'));

/** The paths the layout names: the first word of each entry, and the files and folders in it. */
function namedPaths(): string[] {
  const paths: string[] = [];
  let folder = '';
  for (const line of layout.split('\n')) {
    const entry = /^(\S+)\s/.exec(line)?.[1];
    if (entry) folder = entry;
    const inner = /^(?:\S+)?\s{2,}(\S+(?:\.ts|\.graphql|\/))\s/.exec(line)?.[1];
    if (entry) paths.push(entry);
    if (inner && folder.endsWith('/')) paths.push(folder + inner);
  }
  return paths;
}

describe("the README's layout", () => {
  it('is there', () => {
    expect(layout.length).toBeGreaterThan(0);
  });

  it.each(namedPaths())('names %s, which exists', (path) => {
    const expanded = path.includes('<name>') ? subgraphs.map((name) => path.replace('<name>', name)) : [path];
    for (const one of expanded) expect(existsSync(join(repoRoot, one)), one).toBe(true);
  });

  it('names every top-level folder', () => {
    const named = new Set(namedPaths().map((path) => path.split('/')[0]));
    const folders = readdirSync(repoRoot, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => entry.name);
    expect(folders.filter((folder) => !named.has(folder))).toEqual([]);
  });
});
