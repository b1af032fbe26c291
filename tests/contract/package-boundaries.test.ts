import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../scripts/supergraph.ts';

// Who may import whom. The gateway knows the subgraphs only through the supergraph and their
// URLs, subgraphs talk to each other only through events, and the shared layers know nobody
// above them; only the launcher (and the tests, bench and scripts) start them together.
const subgraphs = ['identity', 'wallet', 'jars', 'transactions', 'ledger'];
// `testsMayImport`: what only its tests (devDependencies, test/ and *.test.ts) may use besides.
const packages: { folder: string; name: string; mayImport: string[]; testsMayImport?: string[] }[] = [
  { folder: 'contracts/events', name: 'events', mayImport: [] },
  // The client's contract: what the gateway and its clients must agree on (the live sockets'
  // close codes), beside the typed documents. It knows no other workspace package.
  { folder: 'contracts/sdk', name: 'sdk', mayImport: [] },
  { folder: 'platform', name: 'platform', mayImport: ['events'] },
  { folder: 'gateway', name: 'gateway', mayImport: ['platform', 'events', 'sdk'] },
  // It plays a company outside walletgraph: it shares none of its code.
  { folder: 'biller', name: 'biller', mayImport: [] },
  ...subgraphs.map((name) => ({
    folder: `subgraphs/${name}`,
    name,
    mayImport: ['platform', 'events'],
    // Its bill tests start the simulated biller, as they use a real Postgres: the outside world.
    ...(name === 'transactions' ? { testsMayImport: ['biller'] } : {}),
  })),
];

describe.each(packages)('$folder', ({ folder, name, mayImport, testsMayImport = [] }) => {
  const allowed = new Set([name, ...mayImport]);
  const allowedInTests = new Set([...allowed, ...testsMayImport]);
  const isTest = (file: string) => file.includes('/test/') || file.endsWith('.test.ts');

  it('depends on no workspace package above it', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8'));
    const workspace = (dependencies: Record<string, string> = {}) =>
      Object.keys(dependencies)
        .filter((dependency) => dependency.startsWith('@walletgraph/'))
        .map((dependency) => dependency.slice('@walletgraph/'.length));
    expect(workspace(manifest.dependencies).filter((dependency) => !allowed.has(dependency))).toEqual([]);
    expect(
      workspace(manifest.devDependencies).filter((dependency) => !allowedInTests.has(dependency)),
    ).toEqual([]);
  });

  it('imports no workspace package above it, nor another one by a relative path', () => {
    const offending: string[] = [];
    for (const file of sourceFiles(join(repoRoot, folder))) {
      const text = readFileSync(file, 'utf8');
      for (const [, target] of text.matchAll(/from '(@walletgraph\/[^/']+|(?:\.\.\/)+[^']*)/g)) {
        const workspace = target!.startsWith('@walletgraph/') ? target!.slice('@walletgraph/'.length) : null;
        const escapes =
          workspace === null && !join(file, '..', target!).startsWith(`${join(repoRoot, folder)}/`);
        const permitted = isTest(file) ? allowedInTests : allowed;
        if ((workspace !== null && !permitted.has(workspace)) || escapes) {
          offending.push(`${relative(repoRoot, file)} → ${target}`);
        }
      }
    }
    expect(offending).toEqual([]);
  });
});

// A module that imports, through any chain, a module that imports it loads half-initialised
// on one of the two paths; type-only imports count too, since they say the two are one concern.
describe('modules', () => {
  it('import one another without circles', () => {
    const folders = [
      'contracts/events',
      'contracts/sdk',
      'platform',
      'gateway',
      'launcher',
      'biller',
      ...subgraphs.map((n) => `subgraphs/${n}`),
    ];
    const files = folders.flatMap((folder) => sourceFiles(join(repoRoot, folder)));
    const imports = new Map(files.map((file) => [file, relativeImports(file)]));
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(repoRoot, f)).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of imports.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });
});

/** The files a module imports by a relative path (`./x.ts`, `../y.ts`). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import) '(\.{1,2}\/[^']+\.ts)'/g)].map(([, target]) =>
    resolve(dirname(file), target!),
  );
}

/** The package's TypeScript files, without dependencies and generated code. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.includes('/node_modules/'));
}
