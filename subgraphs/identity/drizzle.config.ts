import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'drizzle-kit';

// drizzle-kit resolves these paths against the working directory (and mishandles absolute ones
// once snapshots exist), so they are made relative to it from this file's own location:
// generation then works from the repo root (`--config subgraphs/identity/drizzle.config.ts`)
// and from this folder (`pnpm db:generate`). drizzle-kit loads configs as CommonJS, where
// `import.meta.dirname` is undefined but `import.meta.url` is set.
const fromHere = (path: string) =>
  relative(process.cwd(), fileURLToPath(new URL(path, import.meta.url))) || '.';

export default defineConfig({
  dialect: 'postgresql',
  schema: fromHere('./db/schema.ts'),
  out: fromHere('./db/migrations'),
});
