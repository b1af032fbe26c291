import { uuidv7 } from '@walletgraph/events';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DEPOSIT,
  eur,
  newKey,
  OPERATION,
  onlyError,
  TRANSFER,
  WALLET_OPERATIONS,
  walletOperations,
} from './harness.ts';
import { useTransactionsHarness, useUser } from './use-harness.ts';

const h = useTransactionsHarness();
const alice = useUser(h);
const bob = useUser(h);
const mallory = useUser(h);
/** Alice's deposits, oldest first. */
const deposits: string[] = [];
let completedTransfer: string;
let pendingTransfer: string;

beforeAll(async () => {
  for (let i = 1; i <= 5; i++) {
    const res = await h.execute(
      DEPOSIT,
      { input: { walletId: alice.walletId, amount: eur(`${i}`), idempotencyKey: newKey() }, waitMs: 0 },
      alice.token,
    );
    deposits.push(res.data.deposit.id);
  }
  const transfer = async () => {
    const res = await h.execute(
      TRANSFER,
      {
        input: {
          fromWalletId: alice.walletId,
          toWalletId: bob.walletId,
          amount: eur('1'),
          idempotencyKey: newKey(),
        },
        waitMs: 0,
      },
      alice.token,
    );
    return res.data.transfer.id as string;
  };
  completedTransfer = await transfer();
  pendingTransfer = await transfer();
  await h.deliver(h.ledgerAnswer(completedTransfer, { posted: true }));
}, 60_000);

describe('operation(id)', () => {
  it('the owner sees their operation', async () => {
    const own = await h.execute(OPERATION, { id: deposits[0] }, alice.token);
    expect(own.errors).toEqual([]);
    expect(own.data.operation).toMatchObject({
      id: deposits[0],
      kind: 'DEPOSIT',
      wallet: { id: alice.walletId },
    });
  });

  it.each<[string, () => string, () => string | undefined]>([
    ['another user', () => deposits[0]!, () => mallory.token],
    ['an anonymous caller', () => deposits[0]!, () => undefined],
    ['the owner asking for an unknown id', () => uuidv7(), () => alice.token],
    ['the owner asking for an id that is no uuid', () => 'not-a-uuid', () => alice.token],
  ])('%s gets null for an operation, as for one that does not exist', async (_, id, token) => {
    const res = await h.execute(OPERATION, { id: id() }, token());
    expect(res).toEqual({ data: { operation: null }, errors: [] });
  });

  it('resolves many references in one go, each as the viewer may see it', async () => {
    const res = await h.execute(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Operation { id direction } } }',
      {
        r: [deposits[0], completedTransfer, pendingTransfer, uuidv7()].map((id) => ({
          __typename: 'Operation',
          id,
        })),
      },
      bob.token,
    );
    expect(res.errors).toEqual([]);
    expect(res.data._entities).toEqual([null, { id: completedTransfer, direction: 'IN' }, null, null]);
  });
});

describe('Wallet.operations', () => {
  it('pages through the owner’s operations newest first, without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const res = await walletOperations(h, alice.token, alice.walletId, {
        first: 3,
        ...(after ? { after } : {}),
      });
      expect(res.errors).toEqual([]);
      const { edges, pageInfo } = res.data._entities[0].operations;
      seen.push(...edges.map((e: { node: { id: string } }) => e.node.id));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen).toEqual([pendingTransfer, completedTransfer, ...[...deposits].reverse()]);
  });

  it('shows a completed transfer received on the recipient’s wallet, from their side, and not a pending one', async () => {
    const res = await walletOperations(h, bob.token, bob.walletId);
    expect(res.errors).toEqual([]);
    expect(res.data._entities[0].operations).toEqual({
      edges: [
        {
          cursor: expect.any(String),
          node: {
            id: completedTransfer,
            kind: 'TRANSFER',
            direction: 'IN',
            status: 'COMPLETED',
            amount: { amount: '1.00' },
            wallet: { id: bob.walletId },
            counterpartyWallet: { id: alice.walletId },
          },
        },
      ],
      pageInfo: { hasNextPage: false, endCursor: expect.any(String) },
    });
  });

  it.each<[string, () => string, () => string | undefined]>([
    ['another user', () => alice.walletId, () => mallory.token],
    ['an anonymous caller', () => alice.walletId, () => undefined],
    ['the owner of an unknown wallet', () => uuidv7(), () => alice.token],
    ['the owner of an id that is no uuid', () => 'not-a-uuid', () => alice.token],
  ])('is empty for %s, as for a wallet that does not exist', async (_, walletId, token) => {
    const res = await walletOperations(h, token(), walletId());
    expect(res.errors).toEqual([]);
    expect(res.data._entities[0].operations).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, endCursor: null },
    });
  });

  it('refuses a bad `first` or `after`, naming it', async () => {
    expect(onlyError(await walletOperations(h, alice.token, alice.walletId, { first: 0 }))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    expect(onlyError(await walletOperations(h, alice.token, alice.walletId, { first: 101 })).field).toBe(
      'first',
    );
    expect(
      onlyError(await walletOperations(h, alice.token, alice.walletId, { after: 'bm90LWEtY3Vyc29y' })),
    ).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('Wallet.operations of many wallets at once', () => {
  /** Alice's default wallet and three more, each with deposits, and Bob's (not hers). */
  let wallets: string[];
  beforeAll(async () => {
    const more = [
      await h.openWallet(alice.userId, 'EUR'),
      await h.openWallet(alice.userId, 'EUR'),
      await h.openWallet(alice.userId, 'EUR'),
    ];
    for (const [i, walletId] of more.entries()) {
      for (let n = 0; n <= i + 1; n++) {
        await h.execute(
          DEPOSIT,
          { input: { walletId, amount: eur(`${n + 1}`), idempotencyKey: newKey() }, waitMs: 0 },
          alice.token,
        );
      }
    }
    wallets = [alice.walletId, ...more, bob.walletId];
  });

  /** The SQL statements the subgraph sends that read `operations` while `run` runs. */
  async function statementsReadingOperations(run: () => Promise<unknown>): Promise<number> {
    const client = (h.service.db.db as unknown as { $client: { unsafe: (query: string) => unknown } })
      .$client;
    const unsafe = vi.spyOn(client, 'unsafe');
    try {
      await run();
      return unsafe.mock.calls.filter(([query]) => query.includes('"operations"')).length;
    } finally {
      unsafe.mockRestore();
    }
  }

  it('reads every wallet’s page with one statement, each page as when read alone', async () => {
    const representations = wallets.map((id) => ({ __typename: 'Wallet', id }));
    let together: Awaited<ReturnType<typeof h.execute>> | undefined;
    const statements = await statementsReadingOperations(async () => {
      together = await h.execute(WALLET_OPERATIONS, { r: representations, first: 2 }, alice.token);
    });
    expect(statements).toBe(1);
    expect(together!.errors).toEqual([]);
    for (const [i, walletId] of wallets.entries()) {
      const alone = await walletOperations(h, alice.token, walletId, { first: 2 });
      expect(together!.data._entities[i]).toEqual(alone.data._entities[0]);
    }
    expect(together!.data._entities[4].operations.edges).toEqual([]);
    expect(together!.data._entities[3].operations.pageInfo.hasNextPage).toBe(true);
  });

  it('keeps each page’s own cursor when one wallet is asked for twice, on different pages', async () => {
    const first = await walletOperations(h, alice.token, alice.walletId, { first: 2 });
    const after = first.data._entities[0].operations.pageInfo.endCursor as string;
    const query = /* GraphQL */ `
      query ($r: [_Any!]!, $after: String) {
        _entities(representations: $r) {
          ... on Wallet {
            newest: operations(first: 2) { edges { node { id } } }
            older: operations(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage } }
          }
        }
      }
    `;
    let res: Awaited<ReturnType<typeof h.execute>> | undefined;
    const statements = await statementsReadingOperations(async () => {
      res = await h.execute(query, { r: [{ __typename: 'Wallet', id: alice.walletId }], after }, alice.token);
    });
    expect(statements).toBe(1);
    const ids = (page: { edges: { node: { id: string } }[] }) => page.edges.map((e) => e.node.id);
    const alone = await walletOperations(h, alice.token, alice.walletId, { first: 2, after });
    expect(ids(res!.data._entities[0].newest)).toEqual(
      first.data._entities[0].operations.edges.map((e: { node: { id: string } }) => e.node.id),
    );
    expect(ids(res!.data._entities[0].older)).toEqual(
      alone.data._entities[0].operations.edges.map((e: { node: { id: string } }) => e.node.id),
    );
  });
});
