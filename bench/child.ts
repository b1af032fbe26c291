import type { ChildProcess } from 'node:child_process';

/** How long a reference's child process may take to stop before it is killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The JSON a child process prints after `<prefix> ` on the line that says it is ready (a peer
 * gateway, a baseline stack); whatever else it prints goes on to stderr under `[label]`. Rejects
 * when it exits first, or is not ready within `timeoutMs`.
 */
export function readyLine<T>(
  child: ChildProcess,
  prefix: string,
  label: string,
  timeoutMs: number,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`${label} not ready after ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (!ready) fail(new Error(`${label} exited before it was ready (code ${code}, signal ${signal})`));
    });
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
        if (!line.startsWith(`${prefix} `)) {
          process.stderr.write(`[${label}] ${line}\n`);
        } else if (!ready) {
          ready = true;
          clearTimeout(timer);
          resolve(JSON.parse(line.slice(prefix.length + 1)) as T);
        }
      }
    });
  });
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_TIMEOUT_MS);
  });
  const outcome = await Promise.race([exited, late]);
  clearTimeout(timer);
  if (outcome === 'late') {
    child.kill('SIGKILL');
    await exited;
  }
}
