import { randomBytes } from 'node:crypto';
import { createEvent, type Event, type EventData, uuidv7 } from '@walletgraph/events';
import type { TokenVerifier } from '@walletgraph/platform/auth/verifier';
import { loadConfig } from '@walletgraph/platform/config';
import { unauthenticated } from '@walletgraph/platform/errors';
import { createErrorFormatter } from '@walletgraph/platform/graphql/format-error';
import { createLogger } from '@walletgraph/platform/logger';
import { createInProcessBroker } from '@walletgraph/platform/messaging/in-process-broker';
import {
  createPubSub,
  type LiveNotice,
  type LiveTopic,
  type PubSubHandle,
} from '@walletgraph/platform/pubsub';
import type { Runtime } from '@walletgraph/platform/runtime';
import { type SubgraphService, startSubgraph } from '@walletgraph/platform/service';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { testDatabaseUrl, testServices } from '@walletgraph/platform/test/support/services';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { type GraphQLFormattedError, graphql } from 'graphql';
import * as schema from '../db/schema.ts';
import { transactionsSubgraph } from '../server.ts';
import type { TransactionsServices } from '../services.ts';

type Schema = typeof schema;

export interface ExecutionResult {
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever the operation selected.
  data: any;
  errors: GraphQLFormattedError[];
}

/** A live notice the subgraph published, as the gateway would receive it. */
export interface PublishedNotice {
  userId: string;
  topic: LiveTopic;
  notice: LiveNotice;
}

/** A user as the projections know them: their email and default wallet. */
export interface TestUser {
  userId: string;
  email: string;
  walletId: string;
  /** A token the harness verifies as this user. */
  token: string;
}

export interface TransactionsHarness extends AsyncDisposable {
  readonly service: SubgraphService<Schema, TransactionsServices>;
  /** Every live notice published so far, oldest first. */
  readonly published: PublishedNotice[];
  /** Runs an operation through the subgraph's schema as the holder of `token`, or anonymously. */
  execute(query: string, variables?: Record<string, unknown>, token?: string): Promise<ExecutionResult>;
  /** Publishes events on the bus and waits until the consumer bound to each has recorded it in its inbox. */
  deliver(...events: Event[]): Promise<void>;
  /** Registers a user and opens their default wallet, through the projections' consumers. */
  user(options?: { currency?: string }): Promise<TestUser>;
  /** Opens another wallet for a user. */
  openWallet(ownerId: string, currency: string): Promise<string>;
  /** Archives a wallet, through the projections' consumer. */
  archiveWallet(ownerId: string, walletId: string): Promise<void>;
  /** Creates a jar in a wallet (of the wallet's currency), through the projections' consumer. */
  createJar(ownerId: string, walletId: string, currency?: string): Promise<string>;
  /** Archives a jar, through the projections' consumer. */
  archiveJar(ownerId: string, walletId: string, jarId: string): Promise<void>;
  /** The ledger commands in the outbox, oldest first. */
  ledgerCommands(): Promise<EventData<'ledger.post.v1'>[]>;
  /** The `transactions.operation_settled.v1` events in the outbox, oldest first. */
  settledEvents(): Promise<EventData<'transactions.operation_settled.v1'>[]>;
  /** The ledger's answer to an operation's command, as the ledger would publish it. */
  ledgerAnswer(
    operationId: string,
    answer: { posted: true } | { rejected: EventData<'ledger.rejected.v1'>['reason'] },
  ): Event;
  /** Rows in a table. */
  count(table: PgTable): Promise<number>;
}

/**
 * The transactions subgraph as `pnpm start` runs it (server.ts's definition: services,
 * consumers, outbox relay, schema), over a throwaway real Postgres database
 * (`wgtest_transactions_<random>`, migrated like production, dropped on dispose), an in-process
 * bus and a recording publisher. Tokens are opaque strings this harness hands out per user; the
 * subgraph verifies them through its usual context path. Consumers take one message at a time,
 * so messages published in order are handled in order.
 */
export async function createTransactionsHarness(): Promise<TransactionsHarness> {
  const name = `wgtest_transactions_${randomBytes(4).toString('hex')}`;
  const exchange = `wgtest_${randomBytes(4).toString('hex')}`;
  const logger = createLogger('transactions-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({
    DATABASE_URL: testServices.postgres,
    TRANSACTIONS_DATABASE_URL: testDatabaseUrl(name),
    // The harness brings its own bus and publisher: these two are never dialled.
    AMQP_URL: 'amqp://unused.invalid',
    REDIS_URL: 'redis://unused.invalid',
    EVENTS_EXCHANGE: exchange,
    OUTBOX_POLL_MS: '50',
    CONSUMER_PREFETCH: '1',
    CONSUMER_RETRY_DELAYS_MS: '50,100,200,400',
  });
  const published: PublishedNotice[] = [];
  const pubsub: PubSubHandle = {
    ...createPubSub({ logger }),
    publisher: {
      async publish(userId, topic, notice) {
        published.push({ userId, topic, notice });
      },
    },
  };
  const tokens = new Map<string, string>();
  const verifier: TokenVerifier = {
    async verify(token) {
      const userId = tokens.get(token);
      if (!userId) throw unauthenticated();
      return { userId, token, expiresAt: new Date(Date.now() + 900_000) };
    },
  };
  const broker = createInProcessBroker({ logger });
  const runtime: Runtime = { config, logger, broker, pubsub, verifier, close: () => broker.close() };
  const service = await startSubgraph(transactionsSubgraph, runtime);
  const db = service.db.db;
  const format = createErrorFormatter({ logger, isProduction: false });
  const meta = { correlationId: 'transactions-test' };

  async function deliver(...events: Event[]) {
    await broker.publish(
      events.map((e) => ({
        id: e.id,
        type: e.type,
        correlationId: e.correlationId,
        body: JSON.stringify(e),
      })),
    );
    for (const event of events) {
      await waitFor(`${event.type} ${event.id} to be handled`, async () => {
        const [row] = await db
          .select({ n: count() })
          .from(schema.inbox)
          .where(eq(schema.inbox.messageId, event.id));
        return (row?.n ?? 0) > 0;
      });
    }
  }

  const opened = (ownerId: string, currency: string, isDefault: boolean) => {
    const walletId = uuidv7();
    return createEvent(
      'wallet.opened.v1',
      { aggregateId: walletId, data: { walletId, ownerId, name: 'Main', currency, isDefault } },
      meta,
    );
  };

  async function outboxData<T>(type: string): Promise<T[]> {
    const rows = await db
      .select({ envelope: schema.outbox.envelope })
      .from(schema.outbox)
      .where(eq(schema.outbox.type, type))
      .orderBy(asc(schema.outbox.seq));
    return rows.map((r) => (r.envelope as { data: T }).data);
  }

  return {
    service,
    published,
    async execute(query, variables = {}, token) {
      const contextValue = await service.contextFor(token ? { authorization: `Bearer ${token}` } : {});
      const result = await graphql({
        schema: service.schema,
        source: query,
        variableValues: variables,
        contextValue,
      });
      return { data: result.data, errors: (result.errors ?? []).map((e) => format(e.toJSON(), e)) };
    },
    deliver,
    async user(options = {}) {
      const currency = options.currency ?? 'EUR';
      const userId = uuidv7();
      const email = `user.${randomBytes(4).toString('hex')}@example.com`;
      const wallet = opened(userId, currency, true);
      await deliver(
        createEvent(
          'identity.user_registered.v1',
          { aggregateId: userId, data: { userId, email, displayName: 'Test User', currency } },
          meta,
        ),
        wallet,
      );
      const token = `token-${randomBytes(8).toString('hex')}`;
      tokens.set(token, userId);
      return { userId, email, walletId: wallet.data.walletId, token };
    },
    async openWallet(ownerId, currency) {
      const wallet = opened(ownerId, currency, false);
      await deliver(wallet);
      return wallet.data.walletId;
    },
    async archiveWallet(ownerId, walletId) {
      await deliver(
        createEvent('wallet.archived.v1', { aggregateId: walletId, data: { walletId, ownerId } }, meta),
      );
    },
    async createJar(ownerId, walletId, currency = 'EUR') {
      const jarId = uuidv7();
      await deliver(
        createEvent(
          'jars.jar_created.v1',
          {
            aggregateId: jarId,
            data: { jarId, walletId, ownerId, name: 'Savings', kind: 'SAVINGS', currency },
          },
          meta,
        ),
      );
      return jarId;
    },
    async archiveJar(ownerId, walletId, jarId) {
      await deliver(
        createEvent('jars.jar_archived.v1', { aggregateId: jarId, data: { jarId, walletId, ownerId } }, meta),
      );
    },
    ledgerCommands: () => outboxData('ledger.post.v1'),
    settledEvents: () => outboxData('transactions.operation_settled.v1'),
    ledgerAnswer(operationId, answer) {
      const idempotencyKey = `op:${operationId}`;
      if ('posted' in answer) {
        const entryId = uuidv7();
        return createEvent(
          'ledger.posted.v1',
          {
            aggregateId: entryId,
            data: {
              idempotencyKey,
              operationId,
              entryId,
              sequence: '1',
              postings: [
                { account: 'external:deposits:EUR', amount: '-1', currency: 'EUR' },
                { account: 'external:withdrawals:EUR', amount: '1', currency: 'EUR' },
              ],
              walletIds: [],
            },
          },
          meta,
        );
      }
      return createEvent(
        'ledger.rejected.v1',
        {
          aggregateId: operationId,
          data: { idempotencyKey, operationId, reason: answer.rejected, detail: 'refused in a test' },
        },
        meta,
      );
    },
    async count(table) {
      const [row] = await db.select({ n: count() }).from(table);
      return row?.n ?? 0;
    },
    async [Symbol.asyncDispose]() {
      await service.stop();
      await broker.close();
      const admin = drizzle({ connection: { url: testServices.postgres, max: 1, onnotice: () => {} } });
      try {
        await admin.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      } finally {
        await admin.$client.end({ timeout: 5 });
      }
    },
  };
}

/** The `extensions` (and message) of the only error of a result, failing when there is not exactly one. */
export function onlyError(result: ExecutionResult): Record<string, unknown> {
  if (result.errors.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(result.errors)}`);
  return { message: result.errors[0]!.message, ...result.errors[0]!.extensions };
}

/** The operation's own fields, as the tests select them. */
export const OPERATION_FIELDS = /* GraphQL */ `
  id kind status failureCode direction note idempotencyKey createdAt settledAt
  amount { amount currency minorUnits }
  wallet { id }
  counterpartyWallet { id }
`;

export const DEPOSIT = /* GraphQL */ `
  mutation Deposit($input: DepositInput!, $waitMs: Int) {
    deposit(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const WITHDRAW = /* GraphQL */ `
  mutation Withdraw($input: WithdrawInput!, $waitMs: Int) {
    withdraw(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const TRANSFER = /* GraphQL */ `
  mutation Transfer($input: TransferInput!, $waitMs: Int) {
    transfer(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const ALLOCATE_TO_JAR = /* GraphQL */ `
  mutation AllocateToJar($input: JarMoveInput!, $waitMs: Int) {
    allocateToJar(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const RELEASE_FROM_JAR = /* GraphQL */ `
  mutation ReleaseFromJar($input: JarMoveInput!, $waitMs: Int) {
    releaseFromJar(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const MOVE_BETWEEN_JARS = /* GraphQL */ `
  mutation MoveBetweenJars($input: MoveBetweenJarsInput!, $waitMs: Int) {
    moveBetweenJars(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const SPEND_FROM_JAR = /* GraphQL */ `
  mutation SpendFromJar($input: JarMoveInput!, $waitMs: Int) {
    spendFromJar(input: $input, waitMs: $waitMs) { ${OPERATION_FIELDS} }
  }
`;

export const OPERATION = /* GraphQL */ `
  query Operation($id: ID!) { operation(id: $id) { ${OPERATION_FIELDS} } }
`;

/** `Wallet.operations` as the gateway asks for it: through a federation reference. */
export const WALLET_OPERATIONS = /* GraphQL */ `
  query WalletOperations($r: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $r) {
      ... on Wallet {
        operations(first: $first, after: $after) {
          edges { cursor node { id kind direction status amount { amount } wallet { id } counterpartyWallet { id } } }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

/** One page of a wallet's operations, as the holder of `token` sees it. */
export function walletOperations(
  h: TransactionsHarness,
  token: string | undefined,
  walletId: string,
  page: { first?: number; after?: string } = {},
): Promise<ExecutionResult> {
  return h.execute(WALLET_OPERATIONS, { r: [{ __typename: 'Wallet', id: walletId }], ...page }, token);
}

/** A fresh idempotency key. */
export const newKey = () => `key-${randomBytes(6).toString('hex')}`;

/** Rows of `operations` of one owner and key. */
export async function operationsWithKey(h: TransactionsHarness, ownerId: string, key: string) {
  return h.service.db.db
    .select()
    .from(schema.operations)
    .where(and(eq(schema.operations.ownerId, ownerId), eq(schema.operations.idempotencyKey, key)));
}
