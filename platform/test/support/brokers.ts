import { randomUUID as uuidv4 } from 'node:crypto';
import { createEvent, type Event, type EventType } from '@walletgraph/events';
import { type Channel, type ChannelModel, connect } from 'amqplib';
import { createAmqpBroker, replayDeadLetters } from '../../src/messaging/amqp-broker.ts';
import { type Broker, eventMessage, type OutgoingMessage } from '../../src/messaging/broker.ts';
import { createInProcessBroker } from '../../src/messaging/in-process-broker.ts';
import { AMQP_URL, deleteAmqpObjects, holdRabbitLock, testLogger, uniqueName } from './infra.ts';

export interface DeadLetterView {
  id: string;
  reason: string;
  error: string;
}

/** A broker under test with what the contract tests need to look inside it. */
export interface BrokerHarness extends AsyncDisposable {
  readonly kind: 'amqp' | 'in-process';
  readonly broker: Broker;
  /** A consumer name unique to this harness (AMQP queue names are global to the vhost). */
  consumerName(label: string): string;
  /** Every message dead-lettered for `consumer` so far. */
  deadLetters(consumer: string): Promise<DeadLetterView[]>;
  replayDeadLetters(consumer: string): Promise<number>;
}

export type BrokerKind = BrokerHarness['kind'];

export function createHarness(kind: BrokerKind): Promise<BrokerHarness> {
  return kind === 'amqp' ? amqpHarness() : inProcessHarness();
}

async function amqpHarness(): Promise<BrokerHarness> {
  const lock = await holdRabbitLock('shared');
  const prefix = uniqueName('amqp');
  const broker = await createAmqpBroker({
    url: AMQP_URL,
    exchange: `${prefix}.events`,
    deliveryLimit: 5,
    logger: testLogger('amqp'),
    onFatal: (error) => {
      throw error;
    },
  });
  let admin: { connection: ChannelModel; channel: Channel } | null = null;
  return {
    kind: 'amqp',
    broker,
    consumerName: (label) => `${prefix}.${label}`,
    async deadLetters(consumer) {
      if (!admin) {
        const connection = await connect(AMQP_URL);
        admin = { connection, channel: await connection.createChannel() };
      }
      // Read without taking: every message is put back, so a later replay still finds it.
      const list: DeadLetterView[] = [];
      for (;;) {
        const msg = await admin.channel.get(`${consumer}.dlq`, { noAck: false });
        if (!msg) break;
        const h = msg.properties.headers ?? {};
        list.push({
          id: String(msg.properties.messageId),
          reason: String(h['x-death-reason']),
          error: String(h['x-error']),
        });
      }
      admin.channel.nackAll(true);
      return list;
    },
    replayDeadLetters: (consumer) => replayDeadLetters(broker, consumer),
    async [Symbol.asyncDispose]() {
      await broker.close();
      await admin?.connection.close();
      await deleteAmqpObjects(prefix);
      await lock[Symbol.asyncDispose]();
    },
  };
}

async function inProcessHarness(): Promise<BrokerHarness> {
  const broker = createInProcessBroker({ logger: testLogger('in-process') });
  return {
    kind: 'in-process',
    broker,
    consumerName: (label) => uniqueName(label),
    async deadLetters(consumer) {
      return broker
        .deadLetters(consumer)
        .map((d) => ({ id: d.delivery.id, reason: d.reason, error: d.error }));
    },
    async replayDeadLetters(consumer) {
      return broker.replayDeadLetters(consumer);
    },
    async [Symbol.asyncDispose]() {
      await broker.close();
    },
  };
}

/** A valid `wallet.opened.v1` event with fresh ids. */
export function walletOpened(name = 'Main'): Event<'wallet.opened.v1'> {
  const walletId = uuidv4();
  return createEvent(
    'wallet.opened.v1',
    { aggregateId: walletId, data: { walletId, ownerId: uuidv4(), name, currency: 'EUR', isDefault: true } },
    { correlationId: uuidv4() },
  );
}

/** The broker message the outbox relay would publish for `event`. */
export function messageOf<T extends EventType>(event: Event<T>): OutgoingMessage {
  return eventMessage(event as Event);
}
