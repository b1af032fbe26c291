/**
 * `pnpm bench [scenario…]`: runs the load scenarios one after another against the local Postgres,
 * RabbitMQ and Redis, prints each result, and writes bench/report.md. Exits non-zero when a
 * scenario fails (an error, a timeout or a failed correctness check).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { type Machine, renderReport, renderScenario, type ScenarioOutcome } from './report.ts';
import { scenario as consumer } from './scenarios/consumer.ts';
import { scenario as outboxRelay } from './scenarios/outbox-relay.ts';
import { scenario as read } from './scenarios/read.ts';
import { scenario as registration } from './scenarios/registration.ts';
import { scenario as subscriptions } from './scenarios/subscriptions.ts';
import { scenario as write } from './scenarios/write.ts';
import type { Scenario } from './support.ts';

const scenarios: Scenario[] = [outboxRelay, consumer, registration, subscriptions, write, read];
const reportPath = new URL('./report.md', import.meta.url);

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !scenarios.some((s) => s.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? scenarios.filter((s) => wanted.includes(s.name)) : scenarios;

const machine = describeMachine();
console.log(`walletgraph bench: ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}`);
const started = performance.now();
const outcomes: ScenarioOutcome[] = [];
for (const s of selected) {
  console.log(`\n▶ ${s.name}: ${s.title}`);
  const t0 = performance.now();
  const outcome: ScenarioOutcome = { name: s.name, title: s.title, seconds: 0, load: [os.loadavg()[0]!, 0] };
  try {
    outcome.result = await s.run();
  } catch (error) {
    outcome.error = describeError(error);
  }
  outcome.seconds = (performance.now() - t0) / 1000;
  outcome.load[1] = os.loadavg()[0]!;
  outcomes.push(outcome);
  console.log(`\n${renderScenario(outcome).join('\n')}`);
}

const total = (performance.now() - started) / 1000;
writeFileSync(reportPath, renderReport(machine, outcomes, total));
const failed = outcomes.filter((o) => o.error !== undefined);
console.log(`\nwrote ${reportPath.pathname} (${total.toFixed(0)} s)`);
if (failed.length > 0) console.error(`failed: ${failed.map((o) => o.name).join(', ')}`);
process.exitCode = failed.length > 0 ? 1 : 0;

// Everything the scenarios open they close, so the process ends here by itself. Should a handle
// leak anyway, say so and exit rather than hang.
setTimeout(() => {
  console.error('bench: handles were left open after the run; exiting anyway');
  process.exit(process.exitCode === 0 ? 1 : process.exitCode);
}, 15_000).unref();

/** The error and, when cleaning up failed too, that failure after the one that caused it. */
function describeError(error: unknown): string {
  if (error instanceof SuppressedError) {
    return `${describeError(error.suppressed)}\n\nthen, while cleaning up:\n${describeError(error.error)}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function describeMachine(): Machine {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  let commit: string;
  try {
    const dirty = git('status', '--porcelain').length > 0;
    commit = `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    commit = 'unknown (not a git checkout)';
  }
  return {
    date: new Date().toISOString(),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    commit,
  };
}
