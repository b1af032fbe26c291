import { type ProcessGroup, readCpu } from './cpu.ts';
import { sleep } from './support.ts';

/**
 * Waits until `groups` together keep less than `cores` busy over a `windowMs` window: the work a
 * setup left behind (consumers, projections, relays) has drained and does not weigh on the first
 * measured run. Gives up after `timeoutMs` (no loop is unbounded) and says how it ended.
 */
export async function untilQuiet(
  groups: readonly ProcessGroup[],
  { cores, windowMs, timeoutMs }: { cores: number; windowMs: number; timeoutMs: number },
): Promise<{ seconds: number; cores: number; quiet: boolean }> {
  const t0 = performance.now();
  const busy = async () => {
    const before = readCpu(groups);
    const start = performance.now();
    await sleep(windowMs);
    const after = readCpu(groups);
    const used = Object.keys(after).reduce((sum, label) => sum + after[label]! - (before[label] ?? 0), 0);
    return used / ((performance.now() - start) / 1000);
  };
  for (;;) {
    const now = await busy();
    const seconds = (performance.now() - t0) / 1000;
    if (now < cores) return { seconds, cores: now, quiet: true };
    if (seconds * 1000 > timeoutMs) return { seconds, cores: now, quiet: false };
  }
}
