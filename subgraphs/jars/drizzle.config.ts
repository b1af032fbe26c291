import { defineConfig } from 'drizzle-kit';

// Run from this folder (pnpm db:generate does): paths are relative to it.
export default defineConfig({ dialect: 'postgresql', schema: './db/schema.ts', out: './db/migrations' });
