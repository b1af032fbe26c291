import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time of groups of processes, read from /proc/<pid>/stat: utime and stime (fields 14 and
 * 15, the process's own) and cutime and cstime (16 and 17, the children it has waited for), in
 * clock ticks of `getconf CLK_TCK`. Counting the reaped children too keeps a group's total right
 * when one of its processes exits between two readings (a Postgres backend whose connection
 * closed): its time moves to its parent's cutime/cstime rather than vanishing.
 */

/** Which processes a group counts, and what of each. */
export interface ProcessGroup {
  label: string;
  /** These processes… */
  pids?: readonly number[];
  /** …and every process whose /proc/<pid>/comm is one of these. */
  comms?: readonly string[];
  /** `own`: utime+stime; `reaped`: cutime+cstime (its waited-for children); `all` (default): both. */
  count?: 'own' | 'reaped' | 'all';
}

/** CPU seconds per group label. */
export type CpuReading = Record<string, number>;

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticksPerSecond;
}

interface Stat {
  comm: string;
  own: number;
  reaped: number;
}

function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone since the directory was listed
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'.
  const close = text.lastIndexOf(')');
  const comm = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' '); // fields[0] is field 3 (state)
  const field = (n: number) => Number(fields[n - 3]);
  return { comm, own: field(14) + field(15), reaped: field(16) + field(17) };
}

/**
 * The CPU seconds each group has used so far. A process that has exited counts only through its
 * parent's reaped time, so a group should hold the parents of the processes that come and go.
 */
export function readCpu(groups: readonly ProcessGroup[]): CpuReading {
  // First: the one `getconf` child is then reaped before any reading counts children.
  const ticks = clockTicks();
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) stats.set(pid, stat);
  }
  const reading: CpuReading = {};
  for (const group of groups) {
    let used = 0;
    for (const [pid, stat] of stats) {
      if (!group.pids?.includes(pid) && !group.comms?.includes(stat.comm)) continue;
      const count = group.count ?? 'all';
      used += (count === 'reaped' ? 0 : stat.own) + (count === 'own' ? 0 : stat.reaped);
    }
    reading[group.label] = used / ticks;
  }
  return reading;
}

/** CPU seconds per group between two readings. */
export function cpuBetween(before: CpuReading, after: CpuReading): CpuReading {
  return Object.fromEntries(Object.entries(after).map(([label, s]) => [label, s - (before[label] ?? 0)]));
}

/** Postgres, RabbitMQ (the Erlang VM and its helpers) and Redis, by command name. */
export const infrastructure: ProcessGroup[] = [
  { label: 'Postgres', comms: ['postgres'] },
  { label: 'RabbitMQ', comms: ['beam.smp', 'erl_child_setup', 'inet_gethost', 'epmd'] },
  { label: 'Redis', comms: ['redis-server'] },
];
