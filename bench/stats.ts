/** The statistics every scenario reports, computed in one place. */

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentile (`p` from 0 to 100) of a non-empty sample: always a value that was measured. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('summary of an empty sample');
  return {
    n: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: Math.max(...values),
    mean: values.reduce((sum, v) => sum + v, 0) / values.length,
  };
}

/** Events per second. */
export function rate(count: number, seconds: number): number {
  return count / seconds;
}

/** The run that took least time: the one the machine disturbed least. */
export function fastest<T extends { seconds: number }>(runs: readonly T[]): T {
  if (runs.length === 0) throw new Error('fastest of no runs');
  return runs.reduce((best, run) => (run.seconds < best.seconds ? run : best));
}
