import { spawn, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@walletgraph/sdk';
import type { Person } from '@walletgraph/tests/support/money';
import { readyLine, stopChild } from './child.ts';

/**
 * The product as it was at an earlier revision, run beside the current one so a scenario can
 * measure both in one run: the reference for what a change costs when the previous behaviour is
 * no longer in the code (the subscriptions scenario compares the resumable live feed with the
 * fire-and-forget Redis path it replaced, `BENCH_BASELINE_REV`, default 06c011c, the last commit
 * before it). The revision is checked out as a detached git worktree under the OS temp dir
 * (kept, and reused by the next run), installed from pnpm's store, and its own
 * `tests/support/stack.ts` starts its whole real stack in a child process, which registers the
 * people too (with its own mail catcher and databases) and prints them. Disposing it stops the
 * child, which drops that stack's databases and broker objects.
 */

export const baselineRev = process.env.BENCH_BASELINE_REV ?? '06c011c';

const root = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 300_000;

export interface BaselineStack extends AsyncDisposable {
  rev: string;
  url: string;
  people: Person[];
}

/** What the child prints once its stack serves and its people are registered. */
interface Ready {
  url: string;
  people: Omit<Person, 'client'>[];
}

/** The child, written into the baseline's worktree: its own stack and its own registration. */
const childSource = `
import { person } from './tests/support/money.ts';
import { startRealStack } from './tests/support/stack.ts';
const { overrides, users, label } = JSON.parse(process.argv[2]);
const stack = await startRealStack(overrides);
const people = [];
for (let i = 0; i < users; i += 4) {
  const batch = Array.from({ length: Math.min(4, users - i) }, (_, k) => person(stack, label + (i + k)));
  for (const p of await Promise.all(batch)) {
    people.push({ name: p.name, token: p.token, email: p.email, walletId: p.walletId, currency: p.currency });
  }
}
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stack[Symbol.asyncDispose]();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
console.log('baseline ready ' + JSON.stringify({ url: stack.url, people }));
`;

/** Starts the baseline revision's stack with `overrides` and `users` people registered as `<label><n>`. */
export async function startBaselineStack(options: {
  overrides: Record<string, string>;
  users: number;
  label: string;
}): Promise<BaselineStack> {
  const dir = checkOut(baselineRev);
  const script = join(dir, 'bench-baseline-child.ts');
  writeFileSync(script, childSource);
  const child = spawn(process.execPath, [script, JSON.stringify(options)], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const ready = await readyLine<Ready>(
      child,
      'baseline ready',
      `baseline ${baselineRev}`,
      READY_TIMEOUT_MS,
    );
    return {
      rev: baselineRev,
      url: ready.url,
      people: ready.people.map((p) => ({ ...p, client: createClient({ url: ready.url, token: p.token }) })),
      [Symbol.asyncDispose]: () => stopChild(child),
    };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

/** The revision's worktree, checked out and installed once. */
function checkOut(rev: string): string {
  const dir = join(os.tmpdir(), `walletgraph-baseline-${rev}`);
  if (!existsSync(join(dir, 'package.json'))) {
    run('git', ['worktree', 'add', '--force', '--detach', dir, rev], root);
  }
  run('pnpm', ['install', '--frozen-lockfile', '--prefer-offline', '--silent'], dir);
  return dir;
}

function run(command: string, args: string[], cwd: string): void {
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd} (${result.status})`);
}
