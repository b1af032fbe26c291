import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

// graphql ships ESM and CJS builds; the CJS Apollo packages load one and ESM imports the other,
// and graphql refuses schemas from "another realm". Node itself resolves both to one file.
const graphqlAlias = { find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') };

// One run covers unit, integration and end-to-end tests. Integration and end-to-end tests talk
// to the real local Postgres, RabbitMQ and Redis; each isolates itself (own databases, exchange,
// queues and ports). Unit and integration files run in parallel first; then the end-to-end and
// security files, each of which runs the whole stack (seven processes with their connection pools
// and relays), one file at a time, so two stacks under load never exhaust the local Postgres's
// 100 connections; then tests that disrupt a shared service (stopping the broker or Redis),
// alone. Timeouts bound waiting for eventual consistency, never performance: speed lives in
// `pnpm bench`.
/** Test files that run the whole stack through the gateway. */
const wholeStack = ['tests/e2e/**/*.test.ts', 'tests/security/**/*.test.ts'];

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
          exclude: ['**/node_modules/**', 'bench/**', '**/*.disruptive.test.ts', ...wholeStack],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: wholeStack,
          exclude: ['**/node_modules/**', '**/*.disruptive.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'disruptive',
          include: ['**/*.disruptive.test.ts'],
          exclude: ['**/node_modules/**'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
