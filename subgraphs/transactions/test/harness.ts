import { randomBytes } from 'node:crypto';
import { createEvent, type Event, type EventData, uuidv7 } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import {
  createSubgraphHarness,
  type ExecutionResult,
  type SubgraphHarness,
} from '@walletgraph/platform/test/support/subgraph-harness';
import { and, eq } from 'drizzle-orm';
import type { BillerPolicy } from '../bills/biller-policy.ts';
import type { TransactionsServices } from '../context.ts';
import * as schema from '../db/schema.ts';
import { transactionsSubgraph } from '../server.ts';
import { createTransactionsServices } from '../services.ts';

export { type ExecutionResult, onlyError } from '@walletgraph/platform/test/support/subgraph-harness';

type Schema = typeof schema;

/** An EXPENSE jar's budget as `jars.jar_created.v1` announces it (limit in minor units). */
export type AnnouncedBudget = NonNullable<EventData<'jars.jar_created.v1'>['budget']>;

/** A user as the projections know them: their email and default wallet. */
export interface TestUser {
  userId: string;
  email: string;
  walletId: string;
  /** A token the harness verifies as this user. */
  token: string;
}

export interface TransactionsHarness extends SubgraphHarness<Schema, TransactionsServices> {
  /** Registers a user and opens their default wallet, through the projections' consumers. */
  user(options?: { currency?: string }): Promise<TestUser>;
  /** Opens another wallet for a user. */
  openWallet(ownerId: string, currency: string): Promise<string>;
  /** Archives a wallet, through the projections' consumer. */
  archiveWallet(ownerId: string, walletId: string): Promise<void>;
  /** Creates a jar in a wallet (of the wallet's currency), through the projections' consumer. */
  createJar(ownerId: string, walletId: string, currency?: string): Promise<string>;
  /** Creates an EXPENSE jar (in EUR) with a budget, through the projections' consumer. */
  createExpenseJar(ownerId: string, walletId: string, budget: AnnouncedBudget): Promise<string>;
  /** Archives a jar, through the projections' consumer. */
  archiveJar(ownerId: string, walletId: string, jarId: string): Promise<void>;
  /** The ledger commands in the outbox, oldest first. */
  ledgerCommands(): Promise<EventData<'ledger.post.v1'>[]>;
  /** The `transactions.operation_settled.v1` events in the outbox, oldest first. */
  settledEvents(): Promise<EventData<'transactions.operation_settled.v1'>[]>;
  /**
   * The ledger's answer to an operation's command, as the ledger would publish it; the command's
   * key defaults to the `op:<id>` every operation but a bill payment sends.
   */
  ledgerAnswer(
    operationId: string,
    answer: { posted: true } | { rejected: EventData<'ledger.rejected.v1'>['reason'] },
    idempotencyKey?: string,
  ): Event;
}

export interface TransactionsHarnessOptions {
  /** Replaces the system clock (operations are created at its time). */
  clock?: Clock;
  /** Configuration on top of the harness's own, e.g. `BILLER_URL`. */
  env?: Record<string, string>;
  /** Shorter biller timeouts and breaker delays than production's. */
  billerPolicy?: Partial<BillerPolicy>;
}

/**
 * The transactions subgraph as `pnpm start` runs it (server.ts's definition: services,
 * consumers, outbox relay, schema) in the shared subgraph harness (a throwaway real Postgres
 * database, an in-process bus, a recording publisher), with the projections' events at hand.
 */
export async function createTransactionsHarness(
  options: TransactionsHarnessOptions = {},
): Promise<TransactionsHarness> {
  const { clock, env, billerPolicy } = options;
  const overrides = { ...(clock ? { clock } : {}), ...(billerPolicy ? { billerPolicy } : {}) };
  const harness = await createSubgraphHarness(
    clock || billerPolicy
      ? { ...transactionsSubgraph, services: (deps) => createTransactionsServices(deps, overrides) }
      : transactionsSubgraph,
    env ? { env } : {},
  );
  const { deliver, tokenFor, outboxData } = harness;
  const jarCreated = async (data: Omit<EventData<'jars.jar_created.v1'>, 'jarId'>) => {
    const jarId = uuidv7();
    await deliver(createEvent('jars.jar_created.v1', { aggregateId: jarId, data: { jarId, ...data } }, meta));
    return jarId;
  };

  const opened = (ownerId: string, currency: string, isDefault: boolean) => {
    const walletId = uuidv7();
    return createEvent(
      'wallet.opened.v1',
      { aggregateId: walletId, data: { walletId, ownerId, name: 'Main', currency, isDefault } },
      meta,
    );
  };

  return {
    ...harness,
    async user(options = {}) {
      const currency = options.currency ?? 'EUR';
      const userId = uuidv7();
      const email = `user.${randomBytes(4).toString('hex')}@example.com`;
      const wallet = opened(userId, currency, true);
      // A user whose address is proven, so transfers by email reach them.
      await deliver(
        createEvent('identity.email_verified.v1', { aggregateId: userId, data: { userId, email } }, meta),
        wallet,
      );
      return { userId, email, walletId: wallet.data.walletId, token: tokenFor(userId) };
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
    createJar: (ownerId, walletId, currency = 'EUR') =>
      jarCreated({ walletId, ownerId, name: 'Savings', kind: 'SAVINGS', currency }),
    createExpenseJar: (ownerId, walletId, budget) =>
      jarCreated({ walletId, ownerId, name: 'Groceries', kind: 'EXPENSE', currency: 'EUR', budget }),
    async archiveJar(ownerId, walletId, jarId) {
      await deliver(
        createEvent('jars.jar_archived.v1', { aggregateId: jarId, data: { jarId, walletId, ownerId } }, meta),
      );
    },
    ledgerCommands: () => outboxData('ledger.post.v1'),
    settledEvents: () => outboxData('transactions.operation_settled.v1'),
    ledgerAnswer(operationId, answer, idempotencyKey = `op:${operationId}`) {
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
  };
}

const meta = { correlationId: 'transactions-test' };

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

/** A `MoneyInput` in euros. */
export const eur = (amount: string) => ({ amount, currency: 'EUR' });

/** Rows of `operations` of one owner and key. */
export async function operationsWithKey(h: TransactionsHarness, ownerId: string, key: string) {
  return h.service.db.db
    .select()
    .from(schema.operations)
    .where(and(eq(schema.operations.ownerId, ownerId), eq(schema.operations.idempotencyKey, key)));
}
