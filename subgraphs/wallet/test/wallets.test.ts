import { createEvent, uuidv7 } from '@walletgraph/events';
import { createSubgraphHarness, onlyError } from '@walletgraph/platform/test/support/subgraph-harness';
import { useForSuite } from '@walletgraph/platform/test/support/use-for-suite';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type WalletRow, wallets } from '../db/schema.ts';
import { walletSubgraph } from '../server.ts';

/** The wallet subgraph over a real Postgres database, with at most five wallets per user. */
const h = useForSuite(() => createSubgraphHarness(walletSubgraph, { env: { WALLETS_PER_USER: '5' } }), {
  startMs: 60_000,
});

const OPEN = /* GraphQL */ `
  mutation Open($input: OpenWalletInput!) { openWallet(input: $input) { id name } }
`;
const WALLETS = /* GraphQL */ `
  query Wallets($id: ID!, $first: Int, $after: ID) {
    _entities(representations: [{ __typename: "User", id: $id }]) {
      ... on User { wallets(first: $first, after: $after) { id name } }
    }
  }
`;

function user(): { id: string; token: string } {
  const id = uuidv7();
  return { id, token: h.tokenFor(id) };
}

async function open(owner: { token: string }, name: string) {
  return h.execute(OPEN, { input: { name, currency: 'EUR' } }, owner.token);
}

async function rowsOf(ownerId: string): Promise<WalletRow[]> {
  return h.service.db.db.select().from(wallets).where(eq(wallets.ownerId, ownerId));
}

async function openedEventsOf(ownerId: string) {
  const opened = await h.outboxData<{ ownerId: string }>('wallet.opened.v1');
  return opened.filter((e) => e.ownerId === ownerId);
}

describe('the number of wallets per user', () => {
  it('refuses the wallet past the limit with WALLET_LIMIT_REACHED, leaving nothing behind', async () => {
    const ann = user();
    for (let i = 1; i <= 5; i++) expect((await open(ann, `Pot ${i}`)).errors).toEqual([]);

    const refused = await open(ann, 'One too many');
    expect(refused.data).toBeNull();
    expect(onlyError(refused)).toMatchObject({
      code: 'WALLET_LIMIT_REACHED',
      limit: 5,
      message: 'at most 5 wallets per user',
    });
    expect(await rowsOf(ann.id)).toHaveLength(5);
    expect(await openedEventsOf(ann.id)).toHaveLength(5);
  });

  it('lets exactly the limit through when twelve openWallet calls race', async () => {
    const ben = user();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => open(ben, `Race ${i}`)));

    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(5);
    const refusals = results.filter((r) => r.errors.length > 0).map((r) => onlyError(r).code);
    expect(refusals).toEqual(Array(7).fill('WALLET_LIMIT_REACHED'));
    expect(await rowsOf(ben.id)).toHaveLength(5);
    expect(await openedEventsOf(ben.id)).toHaveLength(5);
  });

  it('counts each user on their own', async () => {
    const [cat, dan] = [user(), user()];
    for (let i = 1; i <= 5; i++) expect((await open(cat, `Cat ${i}`)).errors).toEqual([]);
    expect((await open(dan, 'Dan 1')).errors).toEqual([]);
  });
});

describe('User.wallets, a page at a time', () => {
  let eve: { id: string; token: string };
  let names: string[];

  beforeAll(async () => {
    eve = user();
    names = ['A', 'B', 'C', 'D', 'E'];
    // One after another: the order of opening is the order of the list.
    for (const name of names) expect((await open(eve, name)).errors).toEqual([]);
  });

  async function page(first: number | null, after: string | null, token = eve.token) {
    return h.execute(WALLETS, { id: eve.id, first, after }, token);
  }

  it('walks every wallet, oldest first, in pages of `first`, each after the last id of the one before', async () => {
    const seen: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const result = await page(2, after);
      expect(result.errors).toEqual([]);
      const list = result.data._entities[0].wallets as { id: string; name: string }[];
      if (list.length === 0) break;
      seen.push(list.map((w) => w.name));
      after = list.at(-1)!.id;
    }
    expect(seen).toEqual([['A', 'B'], ['C', 'D'], ['E']]);
  });

  it('gives at most 50 by default, and refuses a page of more than 100 or fewer than 1', async () => {
    const all = await page(null, null);
    expect(all.data._entities[0].wallets.map((w: { name: string }) => w.name)).toEqual(names);
    for (const first of [101, 0, -1]) {
      const refused = await page(first, null);
      expect(onlyError(refused), String(first)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
  });

  it('refuses as `after` anything but the id of one of the caller’s own wallets', async () => {
    const other = user();
    const theirs = (await open(other, 'Theirs')).data.openWallet.id as string;
    for (const after of [theirs, uuidv7(), 'not-an-id']) {
      const refused = await page(2, after);
      expect(onlyError(refused), after).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
    }
  });

  it('is empty for anyone but the user', async () => {
    const stranger = user();
    const result = await page(2, null, stranger.token);
    expect(result.errors).toEqual([]);
    expect(result.data._entities[0].wallets).toEqual([]);
  });
});

describe('counterparties', () => {
  const settled = (
    from: { id: string; wallet: string },
    to: { id: string; wallet: string },
    status: string,
  ) =>
    createEvent(
      'transactions.operation_settled.v1',
      {
        aggregateId: uuidv7(),
        data: {
          operationId: uuidv7(),
          ownerId: from.id,
          walletId: from.wallet,
          kind: 'TRANSFER',
          status: status as 'COMPLETED' | 'FAILED',
          failureCode: status === 'FAILED' ? 'INSUFFICIENT_FUNDS' : null,
          amount: '100',
          currency: 'EUR',
          counterpartyWalletId: to.wallet,
          counterpartyOwnerId: to.id,
          ledgerEntryId: status === 'COMPLETED' ? uuidv7() : null,
          settledAt: new Date().toISOString(),
        },
      },
      { correlationId: 'wallets-test' },
    );

  it('announces a pair once, when its first transfer completes, however many follow', async () => {
    const ann = { id: uuidv7(), wallet: uuidv7() };
    const bob = { id: uuidv7(), wallet: uuidv7() };
    const announced = async () =>
      (
        await h.outboxData<{ viewerId: string; walletId: string; ownerId: string }>(
          'wallet.counterparty_added.v1',
        )
      ).filter((e) => [ann.id, bob.id].includes(e.viewerId));
    await h.deliver(settled(ann, bob, 'FAILED'));
    expect(await announced()).toEqual([]);
    await h.deliver(settled(ann, bob, 'COMPLETED'), settled(bob, ann, 'COMPLETED'));
    await h.deliver(settled(ann, bob, 'COMPLETED'));
    expect((await announced()).sort((a, b) => a.viewerId.localeCompare(b.viewerId))).toEqual(
      [
        { viewerId: ann.id, walletId: bob.wallet, ownerId: bob.id },
        { viewerId: bob.id, walletId: ann.wallet, ownerId: ann.id },
      ].sort((a, b) => a.viewerId.localeCompare(b.viewerId)),
    );
  });
});
