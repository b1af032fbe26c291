import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships ESM and CJS builds; the CJS Apollo packages load one and ESM imports the other,
// and graphql refuses schemas from "another realm". Node itself resolves both to one file.
const graphqlAlias = { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') };

// One run covers unit, integration and end-to-end tests. Integration and end-to-end tests talk
// to the real local Postgres, RabbitMQ and Redis; each isolates itself (own databases, exchange,
// queues and ports), so files run in parallel. Tests that disrupt a shared service (stopping the
// broker) run afterwards, alone. Timeouts bound waiting for eventual consistency, never
// performance: speed lives in `pnpm bench`.
export default defineConfig({
  resolve: { alias: [graphqlAlias] },
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'main',
          include: ['**/*.test.ts'],
          exclude: ['**/node_modules/**', 'bench/**', '**/*.disruptive.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'disruptive',
          include: ['**/*.disruptive.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
