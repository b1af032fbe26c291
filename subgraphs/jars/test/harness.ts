import { createEvent, type Event, type EventData, uuidv7 } from '@walletgraph/events';
import type { Clock } from '@walletgraph/platform/clock';
import {
  createSubgraphHarness,
  type SubgraphHarness,
} from '@walletgraph/platform/test/support/subgraph-harness';
import type { JarsServices } from '../context.ts';
import type * as schema from '../db/schema.ts';
import { jarsSubgraph } from '../server.ts';
import { createJarsServices } from '../services.ts';

export { onlyError } from '@walletgraph/platform/test/support/subgraph-harness';

/** A clock the test moves by hand. */
export interface TestClock extends Clock {
  set(at: Date | string): void;
}

export function testClock(start: Date | string): TestClock {
  let now = new Date(start);
  return {
    now: () => new Date(now),
    set(at) {
      now = new Date(at);
    },
  };
}

export interface TestWallet {
  userId: string;
  walletId: string;
  token: string;
}

export interface JarsHarness extends SubgraphHarness<typeof schema, JarsServices> {
  readonly clock: TestClock;
  /** Opens a wallet (and so its Income jar) for a new user, through the wallet.opened consumer. */
  wallet(currency?: string): Promise<TestWallet>;
  /**
   * A `wallet.opened.v1` for the wallet, as the wallet subgraph publishes it; each call is a new
   * envelope (its own id), so the consumer's inbox does not drop it as a redelivery.
   */
  walletOpened(wallet: Pick<TestWallet, 'userId' | 'walletId'>, currency?: string): Event<'wallet.opened.v1'>;
  /**
   * A ledger entry moving `amount` minor units between two accounts, as the ledger publishes it;
   * `balancesAfter` gives each account's balance after it, as the ledger books them.
   */
  posted(
    from: string,
    to: string,
    amount: bigint,
    options?: { currency?: string; balancesAfter?: [bigint | null, bigint | null] },
  ): Event<'ledger.posted.v1'>;
  /** A settled deposit, as the transactions subgraph publishes it. */
  depositSettled(
    wallet: TestWallet,
    amount: bigint,
    currency?: string,
  ): Event<'transactions.operation_settled.v1'>;
  ledgerCommands(): Promise<EventData<'ledger.post.v1'>[]>;
  sweeps(): Promise<EventData<'ledger.sweep.v1'>[]>;
}

const meta = { correlationId: 'jars-test' };
let sequence = 0;

/**
 * The jars subgraph with a clock the test moves; period rounds run only when the test asks. The
 * events the harness makes happen at the clock's time.
 */
export async function createJarsHarness(start = '2026-11-10T12:00:00Z'): Promise<JarsHarness> {
  const clock = testClock(start);
  const harness = await createSubgraphHarness({
    ...jarsSubgraph,
    services: (deps) => createJarsServices(deps, { clock, periods: { intervalMs: 3_600_000 } }),
  });
  const walletOpened: JarsHarness['walletOpened'] = ({ userId, walletId }, currency = 'USD') =>
    createEvent(
      'wallet.opened.v1',
      {
        aggregateId: walletId,
        occurredAt: clock.now(),
        data: { walletId, ownerId: userId, name: 'Main', currency, isDefault: true },
      },
      meta,
    );
  return {
    ...harness,
    clock,
    walletOpened,
    async wallet(currency = 'USD') {
      const userId = uuidv7();
      const walletId = uuidv7();
      await harness.deliver(walletOpened({ userId, walletId }, currency));
      return { userId, walletId, token: harness.tokenFor(userId) };
    },
    posted(from, to, amount, options = {}) {
      const currency = options.currency ?? 'USD';
      const [fromAfter, toAfter] = options.balancesAfter ?? [];
      const after = (b: bigint | null | undefined) =>
        b === undefined ? {} : { balanceAfter: b?.toString() ?? null };
      const entryId = uuidv7();
      return createEvent(
        'ledger.posted.v1',
        {
          aggregateId: entryId,
          occurredAt: clock.now(),
          data: {
            idempotencyKey: `test:${entryId}`,
            operationId: null,
            entryId,
            sequence: String(++sequence),
            postings: [
              { account: from, amount: (-amount).toString(), currency, ...after(fromAfter) },
              { account: to, amount: amount.toString(), currency, ...after(toAfter) },
            ],
            walletIds: [],
          },
        },
        meta,
      );
    },
    depositSettled(wallet, amount, currency = 'USD') {
      const operationId = uuidv7();
      return createEvent(
        'transactions.operation_settled.v1',
        {
          aggregateId: operationId,
          occurredAt: clock.now(),
          data: {
            operationId,
            ownerId: wallet.userId,
            walletId: wallet.walletId,
            kind: 'DEPOSIT',
            status: 'COMPLETED',
            failureCode: null,
            amount: amount.toString(),
            currency,
            counterpartyWalletId: null,
            counterpartyOwnerId: null,
            ledgerEntryId: uuidv7(),
            settledAt: clock.now().toISOString(),
          },
        },
        meta,
      );
    },
    ledgerCommands: () => harness.outboxData('ledger.post.v1'),
    sweeps: () => harness.outboxData('ledger.sweep.v1'),
  };
}

export const JAR_FIELDS = /* GraphQL */ `
  id name kind status wallet { id }
  goal { target { amount currency } deadline progressPercent achievedAt }
  budget { limit { amount } period periodStart periodEnd spent { amount } remaining { amount } thresholds rollsOver }
`;
