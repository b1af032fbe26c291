import { randomBytes } from 'node:crypto';
import type { Database } from '@walletgraph/platform/db/database';
import { type AmqpBroker, createAmqpBroker } from '@walletgraph/platform/messaging/amqp-broker';
import type { Broker, ConsumerSpec, OutgoingMessage } from '@walletgraph/platform/messaging/broker';
import {
  AMQP_URL,
  deleteAmqpObjects,
  holdRabbitLock,
  testLogger,
} from '@walletgraph/platform/test/support/infra';
import { type Person, person, pool } from '@walletgraph/tests/support/money';
import type { TestStack } from '@walletgraph/tests/support/stack';
import { fastest } from './stats.ts';

/** A table of one scenario's measurements, already formatted. */
export interface Table {
  title: string;
  columns: string[];
  rows: string[][];
}

/** A ratio of two measurements taken side by side in the same run. */
export interface Ratio {
  label: string;
  value: number;
}

/**
 * The columns of a table with one column per configuration, each measured over one run or more:
 * `header` for `Table.columns`; `row(label, cell)`, whose cells `cell` makes from each column's
 * fastest run and all its runs; and the two rows every such table has, `seconds` (each run's, in
 * the order they ran) and `cpu` (the fastest run's).
 */
export function columnsOfRuns<R extends { seconds: number; cpuPercent: number }>(
  columns: readonly [string, R[]][],
) {
  const row = (label: string, cell: (best: R, runs: R[]) => string) => [
    label,
    ...columns.map(([, runs]) => cell(fastest(runs), runs)),
  ];
  return {
    header: ['', ...columns.map(([label]) => label)],
    row,
    seconds: (label: string) => row(label, (_, runs) => runs.map((r) => num(r.seconds, 2)).join(' / ')),
    cpu: () => row('bench process CPU, % of a core', (best) => num(best.cpuPercent)),
  };
}

export interface ScenarioResult {
  tables: Table[];
  ratios: Ratio[];
  /** What the reader needs to interpret the numbers: setup, checks made, caveats. */
  notes: string[];
}

export interface Scenario {
  /** The name `pnpm bench <name>` selects it by. */
  name: string;
  title: string;
  run(): Promise<ScenarioResult>;
}

/** Wall time and this process's CPU time (user + system) since it was started. */
export interface Stopwatch {
  stop(): { seconds: number; cpuPercent: number };
}

export function stopwatch(): Stopwatch {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return {
    stop() {
      const elapsedMs = performance.now() - wall;
      const used = process.cpuUsage(cpu);
      return { seconds: elapsedMs / 1000, cpuPercent: ((used.user + used.system) / 1000 / elapsedMs) * 100 };
    },
  };
}

/**
 * Runs `a` and `b` twice each in the order a, b, b, a, so a load that drifts during the run (the
 * machine may be shared) weighs on both alike; returns both runs of each.
 */
export async function abba<T>(a: () => Promise<T>, b: () => Promise<T>): Promise<[[T, T], [T, T]]> {
  const a1 = await a();
  const b1 = await b();
  const b2 = await b();
  const a2 = await a();
  return [
    [a1, a2],
    [b1, b2],
  ];
}

/**
 * Names for one scenario's runs, all under a prefix no other run uses (`wgbench_<label>_<random>`),
 * so that a single sweep at the end (`deleteAmqpObjects(prefix)`) removes every exchange and queue
 * the scenario declared.
 */
export function namespace(label: string): { prefix: string; next(): string } {
  const prefix = `wgbench_${label}_${randomBytes(4).toString('hex')}`;
  let runs = 0;
  return { prefix, next: () => `${prefix}_${++runs}` };
}

/**
 * The shared RabbitMQ lock and a namespace for a scenario's runs, both held until `cleanup` is
 * disposed: then every exchange and queue under the namespace's prefix is deleted, and the lock
 * released.
 */
export async function rabbitNamespace(
  cleanup: AsyncDisposableStack,
  label: string,
): Promise<ReturnType<typeof namespace>> {
  cleanup.use(await holdRabbitLock('shared'));
  const names = namespace(label);
  cleanup.defer(() => deleteAmqpObjects(names.prefix));
  return names;
}

/** A broker on the local RabbitMQ publishing to `exchange`; a broker that gives up is reported, not thrown. */
export function benchBroker(exchange: string): Promise<AmqpBroker> {
  return createAmqpBroker({
    url: AMQP_URL,
    exchange,
    deliveryLimit: 5,
    maxReconnectAttempts: 3,
    logger: testLogger('amqp'),
    onFatal: (error) => console.error('bench: message broker gave up', error),
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true; throws after `timeoutMs`, so no loop is unbounded. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs, intervalMs }: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Runs a `select count(*)::int as n …` on either driver (postgres.js answers rows, PGlite `{ rows }`). */
export async function countOf(db: Database, query: string): Promise<number> {
  const result: unknown = await db.execute(query);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as { n: number }[];
  return rows[0]?.n ?? -1;
}

/** Counts, per message id, the publishes the broker confirmed. */
export interface PublishCounter {
  readonly broker: Broker;
  readonly confirmed: ReadonlyMap<string, number>;
}

export function countPublishes(broker: Broker): PublishCounter {
  const confirmed = new Map<string, number>();
  return {
    confirmed,
    broker: {
      kind: broker.kind,
      async publish(messages: readonly OutgoingMessage[]) {
        await broker.publish(messages);
        for (const m of messages) confirmed.set(m.id, (confirmed.get(m.id) ?? 0) + 1);
      },
      consume: (spec) => broker.consume(spec),
      retireConsumer: (name, delays) => broker.retireConsumer(name, delays),
      ping: () => broker.ping(),
      close: () => broker.close(),
    },
  };
}

/** Counts the deliveries a consumer finished: handled (its transaction committed) or failed. */
export interface DeliveryCounter {
  readonly broker: Broker;
  readonly handled: number;
  readonly failed: number;
}

export function countDeliveries(broker: Broker): DeliveryCounter {
  let handled = 0;
  let failed = 0;
  const wrap = (spec: ConsumerSpec): ConsumerSpec => ({
    ...spec,
    async handle(delivery) {
      try {
        await spec.handle(delivery);
        handled++;
      } catch (error) {
        failed++;
        throw error;
      }
    },
  });
  return {
    get handled() {
      return handled;
    },
    get failed() {
      return failed;
    },
    broker: {
      kind: broker.kind,
      publish: (messages) => broker.publish(messages),
      consume: (spec) => broker.consume(wrap(spec)),
      retireConsumer: (name, delays) => broker.retireConsumer(name, delays),
      ping: () => broker.ping(),
      close: () => broker.close(),
    },
  };
}

/** The values of settled promises; throws, with the first reason, if any was rejected. */
export function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected.length > 0) {
    throw new Error(`${rejected.length} of ${results.length} failed; the first: ${rejected[0]!.reason}`, {
      cause: rejected[0]!.reason,
    });
  }
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Fixed-precision number with thousands separators, for tables. */
export function num(value: number, digits = 0): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Milliseconds, one decimal. */
export function ms(value: number): string {
  return num(value, 1);
}

/** `count` people (tests/support/money's person), registered `concurrency` at a time, named `<label><n>`. */
export async function registerPeople(
  stack: TestStack,
  count: number,
  label: string,
  concurrency: number,
): Promise<Person[]> {
  return fulfilled(
    await pool(
      Array.from({ length: count }, (_, i) => i),
      concurrency,
      (i) => person(stack, `${label}${i}`),
    ),
  );
}
