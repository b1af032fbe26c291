import { type DatabaseHandle, openDatabase } from '@walletgraph/platform/db/database';
import type { Broker } from '@walletgraph/platform/messaging/broker';
import { createInProcessBroker } from '@walletgraph/platform/messaging/in-process-broker';
import { enqueue } from '@walletgraph/platform/outbox/enqueue';
import { createOutboxRelay } from '@walletgraph/platform/outbox/relay';
import { walletOpened } from '@walletgraph/platform/test/support/brokers';
import {
  createTestDatabase,
  migrationsFolder,
  type TestSchema,
  testLogger,
  testSchema,
} from '@walletgraph/platform/test/support/infra';
import { fastest, rate } from '../stats.ts';
import {
  abba,
  benchBroker,
  columnsOfRuns,
  countOf,
  countPublishes,
  num,
  rabbitNamespace,
  type Scenario,
  stopwatch,
  until,
} from '../support.ts';

/**
 * Outbox relay throughput: N committed rows are waiting, the relay starts, and the clock runs
 * until every row is marked published. Batch 1 against batch 200 (the default) on real Postgres
 * and RabbitMQ, and the in-process bus over PGlite for reference.
 */

const ROWS = 5000;
const WARMUP_ROWS = 500;
const TIMEOUT_MS = 90_000;

interface Run {
  seconds: number;
  /** This process's CPU (relay, drivers, bench) while the relay ran, in % of one core. */
  cpuPercent: number;
  /** Distinct ids the broker confirmed, and confirms in all (a republish would make them differ). */
  confirmedIds: number;
  confirms: number;
  marked: number;
  /** Messages that reached the queue bound to the exchange. */
  received: number;
}

export const scenario: Scenario = {
  name: 'outbox-relay',
  title: 'Outbox relay throughput',
  async run() {
    await using cleanup = new AsyncDisposableStack();
    const names = await rabbitNamespace(cleanup, 'relay');
    await onRabbit(names.next(), 200, WARMUP_ROWS);
    const [ones, batches] = await abba(
      () => onRabbit(names.next(), 1, ROWS),
      () => onRabbit(names.next(), 200, ROWS),
    );
    const inProcess = await inProcessOnPglite(200, ROWS);
    const one = fastest(ones);
    const batched = fastest(batches);
    const { header, row, seconds, cpu } = columnsOfRuns<Run>([
      ['RabbitMQ + Postgres, batch 1', ones],
      ['RabbitMQ + Postgres, batch 200', batches],
      ['in-process + PGlite, batch 200', [inProcess]],
    ]);
    return {
      tables: [
        {
          title: `${num(ROWS)} rows of wallet.opened.v1 waiting when the relay starts`,
          columns: header,
          rows: [
            seconds('seconds until all marked, each run'),
            row('rows/s (faster run)', (best) => num(rate(ROWS, best.seconds))),
            cpu(),
            row('rows marked published', (best) => num(best.marked)),
            row('ids confirmed / confirms', (best) => `${num(best.confirmedIds)} / ${num(best.confirms)}`),
            row('messages on the bound queue', (best) => num(best.received)),
          ],
        },
      ],
      ratios: [
        {
          label: 'rows/s, batch 200 ÷ batch 1 (RabbitMQ + Postgres)',
          value: one.seconds / batched.seconds,
        },
        {
          label: 'rows/s, in-process + PGlite ÷ RabbitMQ + Postgres (batch 200, reference)',
          value: batched.seconds / inProcess.seconds,
        },
      ],
      notes: [
        'Each run gets a fresh database; rows are enqueued (500 per transaction) before the relay starts, ' +
          'so the clock covers only the relay: leader lock, select, publish with confirms, mark.',
        'The RabbitMQ columns run twice each, in the order batch 1, 200, 200, 1, so a load drifting during ' +
          'the run weighs on both; rates and ratios use the faster run of each. The in-process column runs once.',
        'RabbitMQ: one quorum queue bound to the exchange, as a consumer queue is, so confirms wait for it. ' +
          'In-process: one consumer that only counts.',
        `A ${num(WARMUP_ROWS)}-row RabbitMQ run precedes the measured ones and is not reported.`,
        'Checked in every run: each row marked, each id confirmed exactly once, the bound queue got them all.',
      ],
    };
  },
};

/** One run on a fresh database; `run` names its exchange and queue. */
async function onRabbit(run: string, batchSize: number, rows: number): Promise<Run> {
  await using cleanup = new AsyncDisposableStack();
  const db = cleanup.use(await createTestDatabase());
  const exchange = `${run}.events`;
  const ids = await fill(db.handle, rows);
  const broker = await benchBroker(exchange);
  cleanup.defer(() => broker.close());
  const channel = await broker.openChannel();
  const queue = `${run}.received`;
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await channel.bindQueue(queue, exchange, '#');
  const counter = countPublishes(broker);
  const timing = await relayUntilMarked(db.handle, counter.broker, batchSize);
  const received = (await channel.checkQueue(queue)).messageCount;
  await channel.deleteQueue(queue);
  await channel.close();
  return await verified(db.handle, ids, counter.confirmed, timing, received);
}

async function inProcessOnPglite(batchSize: number, rows: number): Promise<Run> {
  await using cleanup = new AsyncDisposableStack();
  const logger = testLogger('pglite');
  const db = await openDatabase({ name: 'bench-relay', schema: testSchema, migrationsFolder, logger });
  cleanup.defer(() => db.close());
  const broker = createInProcessBroker({ logger });
  cleanup.defer(() => broker.close());
  const ids = await fill(db, rows);
  let received = 0;
  const sub = await broker.consume({
    name: 'received',
    routingKeys: ['#'],
    prefetch: 200,
    retryDelaysMs: [],
    handle: async () => {
      received++;
    },
  });
  const counter = countPublishes(broker);
  const timing = await relayUntilMarked(db, counter.broker, batchSize);
  await until('the counting consumer to drain', () => received >= rows, {
    timeoutMs: 10_000,
    intervalMs: 5,
  });
  await sub.stop();
  return await verified(db, ids, counter.confirmed, timing, received);
}

/** Commits `rows` outbox rows, 500 per transaction; returns their ids. */
async function fill(db: DatabaseHandle<TestSchema>, rows: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < rows; done += 500) {
    const events = Array.from({ length: Math.min(500, rows - done) }, () => walletOpened());
    await db.db.transaction((tx) => enqueue(tx, events));
    ids.push(...events.map((e) => e.id));
  }
  return ids;
}

/** Starts a relay and times it until no row is left unpublished. */
async function relayUntilMarked(
  db: DatabaseHandle<TestSchema>,
  broker: Broker,
  batchSize: number,
): Promise<{ seconds: number; cpuPercent: number }> {
  const relay = createOutboxRelay({ db, broker, logger: testLogger('relay'), name: 'bench', batchSize });
  const watch = stopwatch();
  relay.start();
  try {
    await until(
      'every outbox row to be marked published',
      async () =>
        (await countOf(db.db, 'select count(*)::int as n from outbox where published_at is null')) === 0,
      { timeoutMs: TIMEOUT_MS, intervalMs: 10 },
    );
    return watch.stop();
  } finally {
    await relay.stop();
  }
}

async function verified(
  db: DatabaseHandle<TestSchema>,
  ids: readonly string[],
  confirmed: ReadonlyMap<string, number>,
  timing: { seconds: number; cpuPercent: number },
  received: number,
): Promise<Run> {
  const marked = await countOf(db.db, 'select count(*)::int as n from outbox where published_at is not null');
  const confirms = [...confirmed.values()].reduce((sum, n) => sum + n, 0);
  const problems = [
    marked !== ids.length && `${marked} of ${ids.length} rows marked published`,
    ids.some((id) => confirmed.get(id) !== 1) && 'a row was not confirmed exactly once',
    confirmed.size !== ids.length && `${confirmed.size} distinct ids confirmed for ${ids.length} rows`,
    received < ids.length && `the bound queue received ${received} of ${ids.length} messages`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new Error(`outbox relay: ${problems.join('; ')}`);
  return { ...timing, confirmedIds: confirmed.size, confirms, marked, received };
}
