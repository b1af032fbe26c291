/**
 * Generates drizzle-kit migrations for every subgraph from its db/schema.ts
 * (`pnpm db:generate`, or `pnpm db:generate wallet` for one).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { subgraphNames } from '@walletgraph/platform/config';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
for (const name of subgraphNames.filter((n) => only.length === 0 || only.includes(n))) {
  console.log(`— ${name}`);
  execFileSync(join(root, 'node_modules/.bin/drizzle-kit'), ['generate'], {
    cwd: join(root, 'subgraphs', name),
    stdio: 'inherit',
  });
}
