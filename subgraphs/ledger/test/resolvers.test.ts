import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { accountId } from '../domain/accounts.ts';
import { deposit, newKey, transfer } from './harness.ts';
import { useLedgerHarness } from './use-harness.ts';

const WALLETS = /* GraphQL */ `
  query Wallets($reps: [_Any!]!) {
    _entities(representations: $reps) {
      ... on Wallet {
        id
        balance {
          total { amount currency minorUnits }
          available { amount }
          allocated { amount }
        }
      }
      ... on Jar { id balance { amount currency } }
    }
  }
`;

const STATEMENT = /* GraphQL */ `
  query Statement($reps: [_Any!]!, $first: Int, $after: String) {
    _entities(representations: $reps) {
      ... on Wallet {
        statement(first: $first, after: $after) {
          edges {
            cursor
            node { id sequence occurredAt description amount { amount } balanceAfter { amount } operation { id } }
          }
          pageInfo { hasNextPage endCursor }
        }
      }
    }
  }
`;

interface StatementNode {
  amount: { amount: string };
  balanceAfter: { amount: string };
  operation: { id: string } | null;
}

const wallet = (id: string) => ({ __typename: 'Wallet', id });
const jar = (id: string) => ({ __typename: 'Jar', id });

describe('ledger fields (real Postgres)', () => {
  const h = useLedgerHarness();

  it('answers balances of several wallets and jars, total = available + allocated, in two queries', async () => {
    const a = await h.openWallet('USD');
    const b = await h.openWallet('KWD', a.ownerId);
    await h.apply(deposit(newKey(), a, 12_345n), deposit(newKey(), b, 1_005n));
    await h.apply(transfer(newKey(), a.available, a.jar, 2_345n, 'USD'));

    const res = await h.execute(
      WALLETS,
      { reps: [wallet(a.walletId), wallet(b.walletId), jar(a.jarId)] },
      a.ownerId,
    );
    expect(res.errors).toEqual([]);
    expect(res.data._entities).toEqual([
      {
        id: a.walletId,
        balance: {
          total: { amount: '123.45', currency: 'USD', minorUnits: '12345' },
          available: { amount: '100.00' },
          allocated: { amount: '23.45' },
        },
      },
      {
        id: b.walletId,
        balance: {
          total: { amount: '1.005', currency: 'KWD', minorUnits: '1005' },
          available: { amount: '1.005' },
          allocated: { amount: '0.000' },
        },
      },
      { id: a.jarId, balance: { amount: '23.45', currency: 'USD' } },
    ]);
    // DataLoader: one read of the wallets' and jar's accounts, one of the wallets' balance accounts.
    expect(res.queries).toBe(2);
  });

  it('answers null for another user’s wallet and jar, and for an anonymous caller', async () => {
    const w = await h.openWallet();
    const reps = [wallet(w.walletId), jar(w.jarId), wallet('not-a-uuid')];
    expect((await h.execute(WALLETS, { reps }, randomUUID())).data._entities).toEqual([null, null, null]);
    expect((await h.execute(WALLETS, { reps })).data._entities).toEqual([null, null, null]);
  });

  it('pages the statement newest first, with signed amounts and the running balance after each entry', async () => {
    const w = await h.openWallet('JPY');
    const other = await h.openWallet('JPY');
    const operationId = randomUUID();
    await h.apply(deposit(newKey(), w, 1000n));
    // Allocating to a jar moves nothing in or out of the wallet: amount 0, total unchanged.
    await h.apply(transfer(newKey(), w.available, w.jar, 300n, 'JPY'));
    await h.apply(transfer(newKey(), w.jar, other.available, 100n, 'JPY', operationId));
    // Entries of other wallets, and refused commands, are not on this statement.
    await h.apply(
      deposit(newKey(), other, 5n),
      transfer(newKey(), w.available, other.available, 10_000n, 'JPY'),
    );
    await h.apply(transfer(newKey(), w.available, accountId.external('withdrawals', 'JPY'), 200n, 'JPY'));

    const page = async (first: number, after?: string) => {
      const res = await h.execute(STATEMENT, { reps: [wallet(w.walletId)], first, after }, w.ownerId);
      expect(res.errors).toEqual([]);
      return res.data._entities[0].statement;
    };
    const first = await page(2);
    const second = await page(2, first.pageInfo.endCursor);
    const lines = [...first.edges, ...second.edges].map(({ node }: { node: StatementNode }) => [
      node.amount.amount,
      node.balanceAfter.amount,
      node.operation?.id ?? null,
    ]);
    expect(lines).toEqual([
      ['-200', '700', null],
      ['-100', '900', operationId],
      ['0', '1000', null],
      ['1000', '1000', null],
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[1].cursor });
    const sequences = [...first.edges, ...second.edges].map((e: { node: { sequence: string } }) =>
      BigInt(e.node.sequence),
    );
    expect([...sequences].sort((x, y) => (x > y ? -1 : 1))).toEqual(sequences);
    expect(first.edges[0].node.occurredAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

    const empty = await page(5, second.pageInfo.endCursor);
    expect(empty).toEqual({ edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('answers the statements of several wallets in one query per distinct page', async () => {
    const a = await h.openWallet('USD');
    const b = await h.openWallet('USD', a.ownerId);
    const c = await h.openWallet('USD', a.ownerId);
    const empty = await h.openWallet('USD', a.ownerId);
    await h.apply(deposit(newKey(), a, 500n), deposit(newKey(), b, 700n), deposit(newKey(), c, 900n));
    await h.apply(transfer(newKey(), a.available, b.available, 200n, 'USD'));
    await h.apply(transfer(newKey(), c.available, c.jar, 400n, 'USD'));
    await h.apply(transfer(newKey(), b.available, accountId.external('withdrawals', 'USD'), 100n, 'USD'));
    const reps = [wallet(a.walletId), wallet(b.walletId), wallet(c.walletId), wallet(empty.walletId)];
    const amounts = (statement: { edges: { node: StatementNode }[] }) =>
      statement.edges.map(({ node }) => [node.amount.amount, node.balanceAfter.amount]);

    const res = await h.execute(STATEMENT, { reps, first: 5 }, a.ownerId);
    expect(res.errors).toEqual([]);
    expect(res.data._entities.map((w: { statement: never }) => amounts(w.statement))).toEqual([
      [
        ['-2.00', '3.00'],
        ['5.00', '5.00'],
      ],
      [
        ['-1.00', '8.00'],
        ['2.00', '9.00'],
        ['7.00', '7.00'],
      ],
      [
        ['0.00', '9.00'],
        ['9.00', '9.00'],
      ],
      [],
    ]);
    // DataLoader: one read of the wallets' accounts, one of all four statements.
    expect(res.queries).toBe(2);

    // Two page shapes over the same wallets: one statement query each.
    const shapes = await h.execute(
      /* GraphQL */ `
        query Pages($reps: [_Any!]!) {
          _entities(representations: $reps) {
            ... on Wallet {
              newest: statement(first: 1) { edges { node { amount { amount } balanceAfter { amount } } } }
              two: statement(first: 2) { edges { node { amount { amount } balanceAfter { amount } } } }
            }
          }
        }
      `,
      { reps },
      a.ownerId,
    );
    expect(shapes.errors).toEqual([]);
    expect(
      shapes.data._entities.map((w: { newest: never; two: never }) => [amounts(w.newest), amounts(w.two)]),
    ).toEqual([
      [
        [['-2.00', '3.00']],
        [
          ['-2.00', '3.00'],
          ['5.00', '5.00'],
        ],
      ],
      [
        [['-1.00', '8.00']],
        [
          ['-1.00', '8.00'],
          ['2.00', '9.00'],
        ],
      ],
      [
        [['0.00', '9.00']],
        [
          ['0.00', '9.00'],
          ['9.00', '9.00'],
        ],
      ],
      [[], []],
    ]);
    // The accounts, then both pages in one read-only transaction: two reads that must agree.
    expect(shapes.queries).toBe(3);
  });

  it('answers a balance and the statement beside it from one snapshot, while entries land', async () => {
    const w = await h.openWallet('USD');
    const other = await h.openWallet('USD');
    await h.apply(deposit(newKey(), w, 1_000_000n));
    const query = /* GraphQL */ `
      query Both($reps: [_Any!]!) {
        _entities(representations: $reps) {
          ... on Wallet {
            balance { total { minorUnits } }
            statement(first: 1) { edges { node { balanceAfter { minorUnits } } } }
          }
        }
      }
    `;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing && i < 2_000; i++) {
        await h.apply(transfer(newKey(), w.available, other.available, 1n, 'USD'));
      }
    })();
    const seen: [string, string][] = [];
    try {
      for (let i = 0; i < 150; i++) {
        const res = await h.execute(query, { reps: [wallet(w.walletId)] }, w.ownerId);
        expect(res.errors).toEqual([]);
        const [entity] = res.data._entities;
        seen.push([entity.balance.total.minorUnits, entity.statement.edges[0].node.balanceAfter.minorUnits]);
      }
    } finally {
      writing = false;
      await writer;
    }
    // The newest line's balance after is the balance: both read at one moment, whatever landed.
    expect(seen.filter(([total, after]) => total !== after)).toEqual([]);
    expect(new Set(seen.map(([total]) => total)).size).toBeGreaterThan(1);
  });

  it.each([
    ['a page size of 0', { first: 0 }, 'first'],
    ['a page size of 101', { first: 101 }, 'first'],
    ['a cursor it did not issue', { first: 5, after: 'bogus' }, 'after'],
  ])('refuses %s, naming the argument', async (_, variables, field) => {
    const w = await h.openWallet();
    const res = await h.execute(STATEMENT, { reps: [wallet(w.walletId)], ...variables }, w.ownerId);
    expect(res.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field } }]);
  });
});
