import { createConsumer, type EventHandlers } from '@walletgraph/platform/consumer';
import { messageOf, walletOpened } from '@walletgraph/platform/test/support/brokers';
import { createTestDatabase, type TestSchema, testLogger } from '@walletgraph/platform/test/support/infra';
import { fastest, rate } from '../stats.ts';
import {
  abba,
  benchBroker,
  columnsOfRuns,
  countDeliveries,
  countOf,
  num,
  rabbitNamespace,
  type Scenario,
  stopwatch,
  until,
} from '../support.ts';

/**
 * Consumer throughput with the inbox transaction: N messages wait in the consumer's queue, the
 * consumer starts, and the clock runs until it has handled them all. Each message is an inbox
 * insert plus a projection insert in one transaction, then the ack. Prefetch 1 against 32.
 */

const MESSAGES = 3000;
const TIMEOUT_MS = 90_000;
const FEW = 1;
const MANY = 32;

const projectionTable = `create table wallet_projection (
  wallet_id uuid primary key,
  owner_id uuid not null,
  currency text not null,
  projected_at timestamptz not null default now()
)`;

/** A realistic read-model handler: one row per wallet opened. */
const handlers: EventHandlers<TestSchema> = {
  'wallet.opened.v1': async (event, tx) => {
    const { walletId, ownerId, currency } = event.data;
    // Inlined rather than bound: the consumer validated them against the contract (two uuids and
    // an ISO 4217 code) before calling us, and the bench has no drizzle-orm for the `sql` tag.
    await tx.execute(
      `insert into wallet_projection (wallet_id, owner_id, currency) values ('${walletId}', '${ownerId}', '${currency}')`,
    );
  },
};

interface Run {
  prefetch: number;
  seconds: number;
  /** This process's CPU (consumer, drivers, bench) while it consumed, in % of one core. */
  cpuPercent: number;
  handled: number;
  inbox: number;
  projected: number;
  left: number;
  deadLettered: number;
}

export const scenario: Scenario = {
  name: 'consumer',
  title: 'Consumer throughput with the inbox transaction',
  async run() {
    await using cleanup = new AsyncDisposableStack();
    const names = await rabbitNamespace(cleanup, 'consumer');
    const [ones, many] = await abba(
      () => measure(names.next(), FEW, MESSAGES),
      () => measure(names.next(), MANY, MESSAGES),
    );
    const { header, row, seconds, cpu } = columnsOfRuns<Run>([
      [`prefetch ${FEW}`, ones],
      [`prefetch ${MANY}`, many],
    ]);
    return {
      tables: [
        {
          title: `${num(MESSAGES)} wallet.opened.v1 messages waiting in the consumer's queue`,
          columns: header,
          rows: [
            seconds('seconds until all handled, each run'),
            row('handled/s (faster run)', (best) => num(rate(MESSAGES, best.seconds))),
            cpu(),
            row('inbox rows / projection rows', (best) => `${num(best.inbox)} / ${num(best.projected)}`),
            row('left in queue / dead-lettered', (best) => `${best.left} / ${best.deadLettered}`),
          ],
        },
      ],
      ratios: [
        {
          label: `handled/s, prefetch ${MANY} ÷ prefetch ${FEW}`,
          value: fastest(ones).seconds / fastest(many).seconds,
        },
      ],
      notes: [
        'Each run gets a fresh database and quorum queue. The messages are published (with confirms) ' +
          'before the consumer starts, so the clock covers only consuming: deliver, validate, transaction ' +
          '(inbox insert, projection insert), commit, ack.',
        `Each prefetch runs twice, in the order ${FEW}, ${MANY}, ${MANY}, ${FEW}; rates and the ratio use the faster run of each.`,
        `The database pool is the platform default (10 connections), so at prefetch ${MANY} at most 10 ` +
          'transactions run at once.',
        'Checked in every run: every message handled once, no failure, one inbox row and one projection ' +
          'row each, queue and dead-letter queue empty.',
      ],
    };
  },
};

/** One run on a fresh database; `run` names its exchange and queues. */
async function measure(run: string, prefetch: number, messages: number): Promise<Run> {
  await using cleanup = new AsyncDisposableStack();
  const db = cleanup.use(await createTestDatabase());
  const name = `${run}.projection`;
  await db.handle.db.execute(projectionTable);
  const broker = await benchBroker(`${run}.events`);
  cleanup.defer(() => broker.close());
  const counter = countDeliveries(broker);
  const consumer = () =>
    createConsumer({
      name,
      db: db.handle,
      broker: counter.broker,
      logger: testLogger('consumer'),
      handlers,
      prefetch,
      retryDelaysMs: [1000],
    });

  // Declare the queues and bindings, stop, fill the queue: the clock then covers handling only.
  const declaring = consumer();
  await declaring.start();
  await declaring.stop();
  for (let sent = 0; sent < messages; sent += 500) {
    const batch = Array.from({ length: Math.min(500, messages - sent) }, () => messageOf(walletOpened()));
    await broker.publish(batch);
  }
  const channel = await broker.openChannel();
  const depth = async (queue: string) => (await channel.checkQueue(queue)).messageCount;
  await until('the queue to hold every message', async () => (await depth(name)) === messages, {
    timeoutMs: 10_000,
    intervalMs: 20,
  });

  const running = consumer();
  const watch = stopwatch();
  await running.start();
  await until('every message to be handled', () => counter.handled + counter.failed >= messages, {
    timeoutMs: TIMEOUT_MS,
    intervalMs: 5,
  });
  const timing = watch.stop();
  await running.stop();

  const result: Run = {
    prefetch,
    ...timing,
    handled: counter.handled,
    inbox: await countOf(db.handle.db, `select count(*)::int as n from inbox where consumer = '${name}'`),
    projected: await countOf(db.handle.db, 'select count(*)::int as n from wallet_projection'),
    left: await depth(name),
    deadLettered: await depth(`${name}.dlq`),
  };
  await channel.close();
  const problems = [
    counter.failed > 0 && `${counter.failed} deliveries failed`,
    result.handled !== messages && `${result.handled} of ${messages} handled`,
    result.inbox !== messages && `${result.inbox} inbox rows`,
    result.projected !== messages && `${result.projected} projection rows`,
    result.left !== 0 && `${result.left} messages left in the queue`,
    result.deadLettered !== 0 && `${result.deadLettered} dead-lettered`,
  ].filter((p): p is string => typeof p === 'string');
  if (problems.length > 0) throw new Error(`consumer at prefetch ${prefetch}: ${problems.join('; ')}`);
  return result;
}
