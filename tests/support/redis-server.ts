import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { waitFor } from '@walletgraph/platform/test/support/infra';

/**
 * The machine's own Redis (port 6379), stopped and started again by disruptive tests
 * (`*.disruptive.test.ts`, which run alone, after every other test).
 */

const run = promisify(execFile);

/** Exactly how the machine's Redis is started (CI and local runs alike). */
const redisServerArgs = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

async function redisAnswers(): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-p', '6379', 'ping'], { timeout: 5_000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

/** Starts Redis unless it already answers, and waits for PONG. */
export async function ensureRedisRunning(): Promise<void> {
  if (await redisAnswers()) return;
  await run('redis-server', redisServerArgs, { timeout: 30_000 });
  await waitFor('redis to answer PONG', redisAnswers, { timeoutMs: 30_000, intervalMs: 100 });
}

/** Shuts Redis down (nothing saved) and waits until it no longer answers. */
export async function stopRedis(): Promise<void> {
  await run('redis-cli', ['-p', '6379', 'shutdown', 'nosave'], { timeout: 30_000 }).catch(() => {});
  await waitFor('redis to stop', async () => !(await redisAnswers()), { timeoutMs: 30_000, intervalMs: 50 });
}
