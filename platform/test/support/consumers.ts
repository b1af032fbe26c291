import { causedBy, createEvent, type Event } from '@walletgraph/events';
import { type Consumer, type ConsumerOptions, createConsumer } from '../../src/consumer.ts';
import type { Schema } from '../../src/db/database.ts';
import { outbox } from '../../src/db/tables.ts';
import type { Broker } from '../../src/messaging/broker.ts';
import type { BrokerHarness } from './brokers.ts';
import { type TestDatabase, testLogger } from './infra.ts';

/** A started consumer under test, under the name it was given; disposing it stops it. */
export type TestConsumer = Consumer & AsyncDisposable & { name: string };

/**
 * Starts a consumer named after `label` (unique to `brokers`), logging under that name, over
 * `brokers.broker` unless `options.broker` is given.
 */
export async function startTestConsumer<S extends Schema>(
  brokers: BrokerHarness,
  label: string,
  options: Omit<ConsumerOptions<S>, 'name' | 'broker' | 'logger'> & { broker?: Broker | undefined },
): Promise<TestConsumer> {
  const name = brokers.consumerName(label);
  const consumer = createConsumer({
    ...options,
    name,
    broker: options.broker ?? brokers.broker,
    logger: testLogger(name),
  });
  await consumer.start();
  return { ...consumer, name, [Symbol.asyncDispose]: () => consumer.stop() };
}

/** The event a handler writes for each event it handles, so a test can count the effects. */
export function archivedFor(event: Event<'wallet.opened.v1'>): Event<'wallet.archived.v1'> {
  const { walletId, ownerId } = event.data;
  return createEvent(
    'wallet.archived.v1',
    { aggregateId: walletId, data: { walletId, ownerId } },
    causedBy(event),
  );
}

/** How many outbox rows of `db` each event caused. */
export async function effectsOf(db: TestDatabase, events: readonly Event[]): Promise<number[]> {
  const rows = await db.handle.db.select().from(outbox);
  const caused = rows.map((r) => (r.envelope as Event).causationId);
  return events.map((e) => caused.filter((id) => id === e.id).length);
}
