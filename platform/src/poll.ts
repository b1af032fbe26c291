export interface PollUntilQuietOptions {
  /** The longest the whole wait may take. */
  timeoutMs: number;
  /** How long the answer must stay the same to count as settled; default 1.5 s. */
  quietMs?: number;
  /** How often to read; default 200 ms. */
  pollMs?: number;
}

/**
 * Reads `read` until `done` holds, the answer has not changed for `quietMs`, or `timeoutMs` has
 * passed, and returns the last answer. For operator tools waiting on asynchronous effects (a
 * replay being applied by running services) without knowing how many there will be.
 */
export async function pollUntilQuiet<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollUntilQuietOptions,
): Promise<T> {
  const { timeoutMs, quietMs = 1500, pollMs = 200 } = options;
  const key = (value: T) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v));
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  let quietSince = Date.now();
  while (!done(last) && Date.now() < deadline && Date.now() - quietSince < quietMs) {
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    const now = await read();
    if (key(now) !== key(last)) quietSince = Date.now();
    last = now;
  }
  return last;
}
