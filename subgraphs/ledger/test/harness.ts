import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { createEvent, type Event, type EventType, parseEvent } from '@walletgraph/events';
import type { HandlerContext } from '@walletgraph/platform/consumer';
import { outbox } from '@walletgraph/platform/db/tables';
import type { AddressedNotice } from '@walletgraph/platform/live/notices';
import { createMetrics } from '@walletgraph/platform/metrics';
import { createTestDatabase, type TestDatabase, testLogger } from '@walletgraph/platform/test/support/infra';
import { noticesOf } from '@walletgraph/platform/test/support/live-notices';
import {
  operationRunner,
  type ExecutionResult as SubgraphExecutionResult,
} from '@walletgraph/platform/test/support/subgraph-harness';
import { asc, eq } from 'drizzle-orm';
import { type AppliedBatch, applyBatch } from '../commands/apply-batch.ts';
import type { LedgerContext, LedgerSchema, LedgerServices } from '../context.ts';
import * as schema from '../db/schema.ts';
import { accountId } from '../domain/accounts.ts';
import type { CommandEvent } from '../domain/command.ts';
import { consumers } from '../events.ts';
import { ledgerMetrics } from '../metrics.ts';
import { ledgerSubgraph } from '../server.ts';

export interface ExecutionResult extends SubgraphExecutionResult {
  /** Statements the resolvers sent to the database. */
  queries: number;
}

export interface TestWallet {
  walletId: string;
  ownerId: string;
  currency: string;
  /** `wallet:<id>:available` */
  available: string;
  jarId: string;
  /** `jar:<jarId>` */
  jar: string;
}

export interface LedgerHarness extends AsyncDisposable {
  readonly db: TestDatabase<LedgerSchema>;
  readonly services: LedgerServices;
  /**
   * The live notices written to the outbox so far (its `live.notices.v1` rows, in outbox order),
   * flattened, as the gateway would read them (fields without the version).
   */
  notices(): Promise<AddressedNotice[]>;
  /** Opens a wallet with one jar, through the ledger's own `ledger.accounts` handlers. */
  openWallet(currency?: string, ownerId?: string): Promise<TestWallet>;
  /** Archives a wallet, through the `ledger.accounts` handler. */
  archiveWallet(wallet: TestWallet): Promise<void>;
  /**
   * Hands a `ledger.accounts` event to its handler in a transaction of its own, and runs its
   * after-commit tasks once it committed, as the consumer does.
   */
  handle(event: Event): Promise<void>;
  /** Applies commands as ONE batch in ONE transaction, as the command consumer does. */
  apply(...commands: CommandEvent[]): Promise<AppliedBatch>;
  /** Runs an operation through the federated schema as `userId` (or anonymously). */
  execute(query: string, variables?: Record<string, unknown>, userId?: string): Promise<ExecutionResult>;
}

/** The ledger subgraph over a throwaway real Postgres database, migrated like production. */
export async function createLedgerHarness(): Promise<LedgerHarness> {
  const db = await createTestDatabase({
    schema,
    migrationsFolder: new URL('../db/migrations', import.meta.url).pathname,
  });
  const logger = testLogger('ledger');
  // A registry of the harness's own: what the batches came to is the metrics tests' business.
  const services: LedgerServices = {
    logger,
    metrics: ledgerMetrics(createMetrics({ defaultMetrics: false })),
  };
  const accountsConsumer = consumers(services).find((c) => c.name === 'ledger.accounts')!;
  const handle = async <T extends EventType>(event: Event<T>) => {
    const handler = accountsConsumer.handlers?.[event.type] as
      | ((e: Event<T>, tx: unknown, ctx: HandlerContext) => Promise<void>)
      | undefined;
    const tasks: (() => void | Promise<void>)[] = [];
    await db.handle.db.transaction((tx) => handler!(event, tx, { afterCommit: (task) => tasks.push(task) }));
    for (const task of tasks) await task();
  };
  const gqlSchema = buildSubgraphSchema([
    { typeDefs: ledgerSubgraph.typeDefs, resolvers: ledgerSubgraph.resolvers },
  ]);
  const run = operationRunner(gqlSchema, logger);

  return {
    db,
    services,
    async notices() {
      const rows = await db.handle.db
        .select({ envelope: outbox.envelope })
        .from(outbox)
        .where(eq(outbox.type, 'live.notices.v1'))
        .orderBy(asc(outbox.seq));
      return noticesOf(rows.map((r) => parseEvent(r.envelope) as Event<'live.notices.v1'>));
    },
    async openWallet(currency = 'EUR', ownerId = randomUUID()) {
      const walletId = randomUUID();
      const jarId = randomUUID();
      const meta = { correlationId: randomUUID() };
      await handle(
        createEvent(
          'wallet.opened.v1',
          { aggregateId: walletId, data: { walletId, ownerId, name: 'Main', currency, isDefault: true } },
          meta,
        ),
      );
      await handle(
        createEvent(
          'jars.jar_created.v1',
          {
            aggregateId: jarId,
            data: { jarId, walletId, ownerId, name: 'Income', kind: 'INCOME', currency },
          },
          meta,
        ),
      );
      return {
        walletId,
        ownerId,
        currency,
        available: accountId.walletAvailable(walletId),
        jarId,
        jar: accountId.jar(jarId),
      };
    },
    async archiveWallet(wallet) {
      await handle(
        createEvent(
          'wallet.archived.v1',
          { aggregateId: wallet.walletId, data: { walletId: wallet.walletId, ownerId: wallet.ownerId } },
          { correlationId: randomUUID() },
        ),
      );
    },
    handle,
    apply: (...commands) => db.handle.db.transaction((tx) => applyBatch(tx, commands)),
    async execute(query, variables = {}, userId) {
      let queries = 0;
      // Counts the statements resolvers start, in a transaction or not: DataLoader batching shows
      // as fewer of them.
      const counting = <T extends object>(executor: T): T =>
        new Proxy(executor, {
          get(target, property, receiver) {
            if (property === 'select' || property === 'execute') queries++;
            if (property === 'transaction') {
              const begin = Reflect.get(target, property, receiver) as (
                work: (tx: object) => Promise<unknown>,
                config?: unknown,
              ) => Promise<unknown>;
              return (work: (tx: object) => Promise<unknown>, config?: unknown) =>
                begin.call(target, (tx) => work(counting(tx)), config);
            }
            return Reflect.get(target, property, receiver);
          },
        });
      const contextValue: LedgerContext = {
        db: counting(db.handle.db),
        viewer: userId
          ? { userId, token: 'test', expiresAt: new Date(Date.now() + 60_000), issuedAt: new Date() }
          : null,
        logger,
        correlationId: randomUUID(),
        services,
      };
      return { ...(await run(query, variables, contextValue)), queries };
    },
    [Symbol.asyncDispose]: () => db[Symbol.asyncDispose](),
  };
}

/** A `ledger.post.v1` command. Amounts in minor units; `[account, amount, currency]` per posting. */
export function postCommand(
  idempotencyKey: string,
  postings: [account: string, amount: bigint, currency: string][],
  options: { operationId?: string | null; description?: string; holdExpiresAt?: Date } = {},
): Event<'ledger.post.v1'> {
  return createEvent(
    'ledger.post.v1',
    {
      aggregateId: idempotencyKey,
      data: {
        idempotencyKey,
        operationId: options.operationId ?? null,
        description: options.description ?? idempotencyKey,
        postings: postings.map(([account, amount, currency]) => ({
          account,
          amount: amount.toString(),
          currency,
        })),
        ...(options.holdExpiresAt ? { holdExpiresAt: options.holdExpiresAt.toISOString() } : {}),
      },
    },
    { correlationId: randomUUID() },
  );
}

/**
 * A `ledger.sweep.v1` command: the whole balance of `from` (a jar) to `to` (its wallet's
 * available account), or with `asOf` what the jar held then and has not left it since.
 */
export function sweepCommand(
  idempotencyKey: string,
  from: string,
  to: string,
  options: { operationId?: string | null; description?: string; asOf?: Date } = {},
): Event<'ledger.sweep.v1'> {
  return createEvent(
    'ledger.sweep.v1',
    {
      aggregateId: idempotencyKey,
      data: {
        idempotencyKey,
        operationId: options.operationId ?? null,
        description: options.description ?? idempotencyKey,
        from,
        to,
        ...(options.asOf ? { asOf: options.asOf.toISOString() } : {}),
      },
    },
    { correlationId: randomUUID() },
  );
}

/** A `jars.jar_archived.v1` for the wallet's jar. */
export function jarArchived(wallet: TestWallet): Event<'jars.jar_archived.v1'> {
  const { jarId, walletId, ownerId } = wallet;
  return createEvent(
    'jars.jar_archived.v1',
    { aggregateId: jarId, data: { jarId, walletId, ownerId } },
    { correlationId: randomUUID() },
  );
}

/** A unique idempotency key. */
export const newKey = (label = 'k') => `${label}-${randomUUID()}`;

/** Moves `amount` minor units from one account to another. */
export function transfer(
  key: string,
  from: string,
  to: string,
  amount: bigint,
  currency = 'EUR',
  operationId?: string,
) {
  return postCommand(
    key,
    [
      [from, -amount, currency],
      [to, amount, currency],
    ],
    { operationId: operationId ?? null },
  );
}

/** Deposits `amount` from the currency's external deposits account. */
export function deposit(key: string, wallet: TestWallet, amount: bigint) {
  return transfer(
    key,
    accountId.external('deposits', wallet.currency),
    wallet.available,
    amount,
    wallet.currency,
  );
}

/** The messages of an error and its causes: drizzle wraps the database's own error as `cause`. */
export async function failureOf(work: PromiseLike<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(' <- ');
  }
  throw new Error('expected the database to refuse, and it accepted');
}
