import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { deleteAmqpObjects, holdRabbitLock } from '@walletgraph/platform/test/support/infra';
import { deposit, newKey, pool, withSql } from '@walletgraph/tests/support/money';
import { startRealStack, type TestStack } from '@walletgraph/tests/support/stack';
import type { LoopRun } from '../closed-loop.ts';
import { type CpuReading, cpuBetween, infrastructure, type ProcessGroup, readCpu } from '../cpu.ts';
import { MAX_PGBENCH_CLIENTS, type RawSqlRun, rawSqlReference } from '../rawsql.ts';
import { percentile, rate } from '../stats.ts';
import { fulfilled, ms, num, registerPeople, type Scenario, type Table } from '../support.ts';
import { checkBooks, type Seen } from '../write-books.ts';
import { drive, type Level, WAIT_MS } from '../write-load.ts';

/**
 * Transfers through the gateway under load: `c` clients, each owning one wallet, send 0.01 EUR to
 * the next client's wallet in a closed loop, each transfer waiting for settlement (waitMs). Per
 * concurrency level: settled transfers per second, mutation → COMPLETED latency and the CPU each
 * process spends per settled transfer, beside the same transfer as raw SQL run by pgbench on the
 * same Postgres. `BENCH_WRITE_SECONDS` sets every level's duration, `BENCH_WRITE_LEVELS` (e.g.
 * `32` or `1,128`) picks levels, and `BENCH_CPU_PROF_DIR` makes the services write CPU profiles.
 */

const USERS = 128;
const REGISTER_CONCURRENCY = 4;
const DEPOSIT_CONCURRENCY = 8;
/** 1,000.00 EUR per wallet: far more than any run moves out of one. */
const DEPOSIT_MINOR = 100_000n;
const LEVELS = [1, 32, 128];
const defaultSeconds = (clients: number) => (clients === 1 ? 10 : 15);
/** Uncounted, before the first level (JIT, pools, caches). */
const WARM_UP = { clients: 32, seconds: 3 };
const services = ['gateway', 'identity', 'wallet', 'jars', 'transactions', 'ledger'] as const;

interface Phase extends LoopRun {
  clients: number;
  cpu: CpuReading;
}

export const scenario: Scenario = {
  name: 'write',
  title: 'Transfers through the gateway under load, beside the same transfer as raw SQL',
  async run() {
    const levels = chosenLevels();
    const { phases, books } = await measureWalletgraph(levels);
    const reference = await rawSqlReference(USERS, levels, WARM_UP);
    const columns = levels.map((l) => `${l.clients} client${l.clients === 1 ? '' : 's'}`);
    const settled = (p: Phase) => p.latencies.length;
    const tps = (p: Phase) => rate(settled(p), p.seconds);
    const perTransfer = (cpuSeconds: number, transfers: number) =>
      transfers > 0 ? ms((cpuSeconds * 1000) / transfers) : '–';
    const latency = (p: Phase, q: number) => (settled(p) > 0 ? ms(percentile(p.latencies, q)) : '–');
    const product = [...services, ...infrastructure.map((g) => g.label)];
    const total = (p: Phase) => product.reduce((sum, label) => sum + (p.cpu[label] ?? 0), 0);
    const row = (label: string, cell: (p: Phase, r: RawSqlRun) => string) => [
      label,
      ...phases.map((p, i) => cell(p, reference[i]!)),
    ];
    const tables: Table[] = [
      {
        title: 'Transfers of 0.01 EUR through the gateway, closed loop, each waiting for settlement',
        columns: ['', ...columns],
        rows: [
          row('seconds measured', (p) => num(p.seconds, 1)),
          row('transfers sent', (p) => num(p.sent)),
          row('settled (answered COMPLETED)', (p) => num(settled(p))),
          row('failed (other status, errors, no answer)', (p) => num(p.sent - settled(p))),
          row('settled transfers / s', (p) => num(tps(p), 1)),
          row('mutation → COMPLETED p50 (ms)', (p) => latency(p, 50)),
          row('mutation → COMPLETED p99 (ms)', (p) => latency(p, 99)),
          row('raw SQL: pgbench clients', (_, r) => num(r.clients)),
          row('raw SQL: transactions / s', (_, r) => num(r.tps, 1)),
          row('raw SQL: latency average (ms)', (_, r) => ms(r.latencyMs)),
          row('raw SQL: failed transactions', (_, r) => num(r.failed)),
        ],
      },
      {
        title: 'CPU per settled transfer (ms), from /proc utime+stime (+ reaped children)',
        columns: ['process', ...columns],
        rows: [
          ...product.map((label) => row(label, (p) => perTransfer(p.cpu[label] ?? 0, settled(p)))),
          row('walletgraph total (the processes above)', (p) => perTransfer(total(p), settled(p))),
          row('walletgraph total, cores busy', (p) => num(total(p) / p.seconds, 2)),
          row('bench process (load generator, not in the total)', (p) =>
            perTransfer(p.cpu.bench!, settled(p)),
          ),
          row('raw SQL: Postgres per transaction', (_, r) => perTransfer(r.postgresCpu, r.transactions)),
          row('raw SQL: Postgres, cores busy', (_, r) => num(r.postgresCpu / r.seconds, 2)),
          row('raw SQL: pgbench (load generator)', (_, r) => perTransfer(r.pgbenchCpu, r.transactions)),
        ],
      },
    ];
    const ratios = phases.flatMap((p, i) => {
      const r = reference[i]!;
      return [
        { label: `settled transfers / s, walletgraph ÷ raw SQL, ${columns[i]}`, value: tps(p) / r.tps },
        {
          label: `CPU per transfer, walletgraph total ÷ raw SQL Postgres, ${columns[i]}`,
          value: total(p) / settled(p) / (r.postgresCpu / r.transactions),
        },
      ].filter((ratio) => Number.isFinite(ratio.value));
    });
    const failures = phases.flatMap((p, i) =>
      [...p.failures].map(([kind, n]) => `${columns[i]}: ${num(n)} × ${kind}`),
    );
    return {
      tables,
      ratios,
      notes: [
        `${USERS} users registered (${REGISTER_CONCURRENCY} at a time) on one real stack with ` +
          'DATABASE_POOL_MAX=10 (the production default; the other settings as the test stacks run), each ' +
          `wallet funded with one ${num(Number(DEPOSIT_MINOR) / 100, 2)} EUR deposit. At c clients, client i ` +
          'sends `transfer(waitMs: 10000) { id status failureCode }` from wallet i to wallet i+1 (mod c; a ' +
          'lone client to the second wallet) with its own token and a new idempotency key, in a closed loop for the ' +
          `level's duration; an uncounted ${WARM_UP.seconds} s at ${WARM_UP.clients} clients came first, then ` +
          'every database was analysed (as autovacuum does on a running system; see `analyzeDatabases`).',
        'Settled: answered COMPLETED (the response waited for settlement). Latency is mutation sent → that ' +
          'answer. Throughput is settled transfers over the time from the first request to the last answer. ' +
          `Failures (any other status, GraphQL errors, no answer): ${failures.length > 0 ? failures.join('; ') : 'none'}.`,
        'CPU: utime+stime+cutime+cstime from /proc/<pid>/stat (clock ticks, `getconf CLK_TCK`) before and ' +
          'after each level, divided by the transfers settled in it. Processes: the gateway and the five ' +
          'subgraphs by pid; Postgres = every process named `postgres` (exited backends show in the ' +
          "postmaster's reaped time); RabbitMQ = `beam.smp`, `erl_child_setup`, `inet_gethost`, `epmd`; Redis = " +
          '`redis-server`. The bench process (the load generator, utime+stime) is not in the total.',
        'Raw SQL reference: pgbench -M prepared in a scratch database on the same Postgres, after the stack ' +
          'was stopped, the same durations and client pairs (accounts i → i+1), after its own uncounted ' +
          'warm-up. One transaction: two conditional balance updates (in account order), a journal row with ' +
          'a unique idempotency key, two postings. No HTTP, GraphQL, authentication, events or messaging. ' +
          `pgbench needs one connection per client and Postgres allows 100: it runs at most ${MAX_PGBENCH_CLIENTS} ` +
          'clients; its CPU per transaction counts Postgres alone.',
        books,
        ...(process.env.BENCH_CPU_PROF_DIR
          ? [`The services ran with --cpu-prof: profiles in ${resolve(process.env.BENCH_CPU_PROF_DIR)}.`]
          : []),
      ],
    };
  },
};

function chosenLevels(): Level[] {
  const seconds = process.env.BENCH_WRITE_SECONDS ? Number(process.env.BENCH_WRITE_SECONDS) : undefined;
  if (seconds !== undefined && !(Number.isInteger(seconds) && seconds > 0 && seconds <= 600)) {
    // Whole seconds: pgbench -T takes no fraction.
    throw new Error(
      `BENCH_WRITE_SECONDS must be whole seconds from 1 to 600, not ${process.env.BENCH_WRITE_SECONDS}`,
    );
  }
  const wanted = process.env.BENCH_WRITE_LEVELS?.split(',').map((s) => Number(s.trim())) ?? LEVELS;
  const bad = wanted.filter((c) => !Number.isInteger(c) || c < 1 || c > USERS);
  if (bad.length > 0 || wanted.length === 0) {
    throw new Error(`BENCH_WRITE_LEVELS must list client counts from 1 to ${USERS}, not ${bad.join(',')}`);
  }
  return wanted.map((clients) => ({ clients, seconds: seconds ?? defaultSeconds(clients) }));
}

/** Each level's measurements, and what the correctness checks afterwards verified. */
async function measureWalletgraph(levels: readonly Level[]): Promise<{ phases: Phase[]; books: string }> {
  await using cleanup = new AsyncDisposableStack();
  cleanup.use(await holdRabbitLock('shared'));
  const profiles = process.env.BENCH_CPU_PROF_DIR ? resolve(process.env.BENCH_CPU_PROF_DIR) : undefined;
  if (profiles) mkdirSync(profiles, { recursive: true });
  const stack = await startRealStack({
    DATABASE_POOL_MAX: '10',
    ...(profiles ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profiles}` } : {}),
  });
  if (stack.exchange) cleanup.defer(() => deleteAmqpObjects(stack.exchange));
  cleanup.use(stack);

  const people = await registerPeople(stack, USERS, 'writer', REGISTER_CONCURRENCY);
  fulfilled(
    await pool(people, DEPOSIT_CONCURRENCY, async (p) => {
      const op = await deposit(p, DEPOSIT_MINOR, newKey('bench-deposit'), WAIT_MS);
      if (op.status !== 'COMPLETED') throw new Error(`deposit ${op.id} is ${op.status} (${op.failureCode})`);
    }),
  );

  const groups = processGroups(stack);
  const seen: Seen = { completed: new Set(), failed: new Set(), unsettled: new Set() };
  await drive(stack.url, people, WARM_UP, seen, 'warm-up');
  await analyzeDatabases(stack);
  const phases: Phase[] = [];
  for (const level of levels) {
    const before = readCpu(groups);
    const driven = await drive(stack.url, people, level, seen, `c${level.clients}`);
    phases.push({ ...driven, cpu: cpuBetween(before, readCpu(groups)) });
  }
  return { phases, books: await checkBooks(stack, seen, DEPOSIT_MINOR * BigInt(USERS)) };
}

/**
 * ANALYZE every database of the stack once the warm-up has filled its tables, as autovacuum does
 * within its first minute on a running system. The stack starts from empty tables, and each
 * connection keeps the generic plan of a prepared statement it made while they were empty
 * until the table's statistics change: a plan that reads the whole table where an index would
 * find a handful of rows, and whose cost grows with the table during the run.
 */
async function analyzeDatabases(stack: TestStack): Promise<void> {
  for (const url of Object.values(stack.databases)) {
    if (url) await withSql(url, (sql) => sql`analyze`);
  }
}

function processGroups(stack: TestStack): ProcessGroup[] {
  const pids = stack.pids();
  const missing = services.filter((name) => pids[name] === undefined);
  if (missing.length > 0) throw new Error(`no process id for ${missing.join(', ')}`);
  return [
    ...services.map((name) => ({ label: name, pids: [pids[name]!] })),
    ...infrastructure,
    { label: 'bench', pids: [process.pid], count: 'own' as const },
  ];
}
