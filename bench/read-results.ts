import type { LoopRun } from './closed-loop.ts';
import { type CpuReading, infrastructure } from './cpu.ts';
import { percentile, rate } from './stats.ts';
import { ms, num, type Table } from './support.ts';

/** The read scenario's measurements per target, and the table of one query's targets. */

export interface Target {
  label: string;
  url: string;
  /** The CPU group of the gateway it goes through; none when sent straight to the subgraph. */
  gateway?: string;
}

export interface Run extends LoopRun {
  cpu: CpuReading;
}

/** Both runs of one target. */
export interface Measured {
  target: Target;
  runs: [Run, Run];
}

/** Both runs of a target as one. */
export function merged(m: Measured): Run {
  const [a, b] = m.runs;
  const failures = new Map(a.failures);
  for (const [kind, n] of b.failures) failures.set(kind, (failures.get(kind) ?? 0) + n);
  return {
    seconds: a.seconds + b.seconds,
    sent: a.sent + b.sent,
    latencies: [...a.latencies, ...b.latencies],
    failures,
    cpu: Object.fromEntries(Object.keys(a.cpu).map((label) => [label, a.cpu[label]! + (b.cpu[label] ?? 0)])),
  };
}

export const rps = (m: Measured) => rate(merged(m).latencies.length, merged(m).seconds);
/** CPU seconds per correct answer of the target's gateway process (NaN for a direct target). */
export const gatewayCpu = (m: Measured) => {
  const run = merged(m);
  return m.target.gateway ? run.cpu[m.target.gateway]! / run.latencies.length : Number.NaN;
};

export function readTable(title: string, measured: readonly Measured[]): Table {
  const product = ['subgraphs', ...infrastructure.map((g) => g.label)];
  const runs = measured.map(merged);
  const row = (label: string, cell: (r: Run, m: Measured) => string) => [
    label,
    ...runs.map((r, i) => cell(r, measured[i]!)),
  ];
  const per = (cpuSeconds: number, r: Run) =>
    r.latencies.length > 0 ? ms((cpuSeconds * 1000) / r.latencies.length) : '–';
  const latency = (r: Run, q: number) => (r.latencies.length > 0 ? ms(percentile(r.latencies, q)) : '–');
  const total = (r: Run, m: Measured) =>
    (m.target.gateway ? r.cpu[m.target.gateway]! : 0) +
    product.reduce((sum, label) => sum + (r.cpu[label] ?? 0), 0);
  return {
    title,
    columns: ['', ...measured.map((m) => m.target.label)],
    rows: [
      row('seconds measured (2 runs)', (r) => num(r.seconds, 1)),
      row('requests sent', (r) => num(r.sent)),
      row('answered correctly', (r) => num(r.latencies.length)),
      row('failed (errors, wrong data, no answer)', (r) => num(r.sent - r.latencies.length)),
      row('requests / s', (r) => num(rate(r.latencies.length, r.seconds), 1)),
      row('requests / s, run 1 · run 2', (_, m) =>
        m.runs.map((r) => num(rate(r.latencies.length, r.seconds))).join(' · '),
      ),
      row('latency p50 (ms)', (r) => latency(r, 50)),
      row('latency p99 (ms)', (r) => latency(r, 99)),
      row('CPU ms / request: gateway process', (r, m) =>
        m.target.gateway ? per(r.cpu[m.target.gateway]!, r) : '–',
      ),
      ...product.map((label) => row(`CPU ms / request: ${label}`, (r) => per(r.cpu[label] ?? 0, r))),
      row('CPU ms / request: total of the above', (r, m) => per(total(r, m), r)),
      row('cores busy (the total above)', (r, m) => num(total(r, m) / r.seconds, 2)),
      row('CPU ms / request: bench process (load generator)', (r) => per(r.cpu.bench!, r)),
    ],
  };
}
