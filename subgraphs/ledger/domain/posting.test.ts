import { parseAmount } from '@walletgraph/platform/money';
import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { describe, expect, it } from 'vitest';
import type { LedgerAccount } from './accounts.ts';
import { accountId } from './accounts.ts';
import { type PostCommand, type Posting, requestHash } from './command.ts';
import { type BatchDecision, decideBatch, type StoredResult } from './posting.ts';

const W1 = '00000000-0000-4000-8000-000000000001';
const W2 = '00000000-0000-4000-8000-000000000002';
const JAR = '00000000-0000-4000-8000-0000000000a1';
const OP = '00000000-0000-4000-8000-0000000000f1';
const wallet1 = accountId.walletAvailable(W1);
const wallet2 = accountId.walletAvailable(W2);
const jar = accountId.jar(JAR);
const deposits = (cur: string) => accountId.external('deposits', cur);

function account(
  id: string,
  currency: string,
  balance: bigint,
  extra: Partial<LedgerAccount> = {},
): LedgerAccount {
  const walletId = id === wallet2 ? W2 : W1;
  const kind = id.startsWith('jar:') ? 'JAR' : id.startsWith('hold:') ? 'HOLD' : 'WALLET_AVAILABLE';
  return {
    id,
    kind,
    currency,
    walletId,
    ownerId: 'owner',
    balance,
    closed: false,
    expiresAt: null,
    ...extra,
  };
}

function command(
  key: string,
  postings: [string, bigint, string][],
  operationId: string | null = null,
  holdExpiresAt: Date | null = null,
): PostCommand {
  const list: Posting[] = postings.map(([account, amount, currency]) => ({ account, amount, currency }));
  return {
    kind: 'POST',
    idempotencyKey: key,
    requestHash: requestHash(operationId, list),
    operationId,
    description: key,
    postings: list,
    holdExpiresAt,
  };
}

/** Moves `amount` from `from` to `to`, in `currency`. */
const move = (key: string, from: string, to: string, amount: bigint, currency = 'EUR') =>
  command(key, [
    [from, -amount, currency],
    [to, amount, currency],
  ]);

function decide(commands: PostCommand[], accounts: LedgerAccount[], stored: [string, StoredResult][] = []) {
  return decideBatch(commands, {
    accounts: new Map(accounts.map((a) => [a.id, a])),
    stored: new Map(stored),
  });
}

/** Given the accounts, when a batch of commands is decided. */
const given = deciderSpecification((accounts: LedgerAccount[], commands: PostCommand[]) =>
  decide(commands, accounts),
);

const statuses = (d: BatchDecision) =>
  d.decisions.map((x) => (x.status === 'REJECTED' ? `REJECTED ${x.reason}` : x.status));

describe('posting rules', () => {
  it('posts a deposit from the external account, which may go negative, and reports the new balance', () => {
    const d = decide([move('k1', deposits('EUR'), wallet1, 1250n)], [account(wallet1, 'EUR', 0n)]);
    expect(d.decisions[0]).toEqual({
      status: 'POSTED',
      postings: [
        { account: deposits('EUR'), amount: -1250n, currency: 'EUR', balanceAfter: null },
        { account: wallet1, amount: 1250n, currency: 'EUR', balanceAfter: 1250n },
      ],
      walletIds: [W1],
    });
    expect(d.balances).toEqual(new Map([[wallet1, 1250n]]));
    expect(d.opened.map((a) => [a.id, a.kind, a.currency, a.balance])).toEqual([
      [deposits('EUR'), 'EXTERNAL', 'EUR', 0n],
    ]);
  });

  it('rejects a transfer larger than the available balance, changing nothing', () => {
    given([account(wallet1, 'EUR', 500n), account(wallet2, 'EUR', 0n)])
      .when([move('k1', wallet1, wallet2, 501n)])
      .then({
        decisions: [expect.objectContaining({ status: 'REJECTED', reason: 'INSUFFICIENT_FUNDS' })],
        balances: new Map(),
        opened: [],
      });
  });

  it('lets a non-external account reach exactly zero', () => {
    const d = decide(
      [move('k1', wallet1, wallet2, 500n)],
      [account(wallet1, 'EUR', 500n), account(wallet2, 'EUR', 0n)],
    );
    expect(d.balances).toEqual(
      new Map([
        [wallet1, 0n],
        [wallet2, 500n],
      ]),
    );
  });

  it('rejects postings that do not sum to zero per currency, or are fewer than two, or move nothing', () => {
    const d = decide(
      [
        command('unbalanced', [
          [deposits('EUR'), -100n, 'EUR'],
          [wallet1, 99n, 'EUR'],
        ]),
        command('one', [[wallet1, 100n, 'EUR']]),
        command('zero', [
          [deposits('EUR'), 0n, 'EUR'],
          [wallet1, 0n, 'EUR'],
        ]),
        command('mixed', [
          [deposits('EUR'), -100n, 'EUR'],
          [wallet1, 100n, 'USD'],
        ]),
        command('huge', [
          [deposits('EUR'), -(2n ** 63n), 'EUR'],
          [wallet1, 2n ** 63n, 'EUR'],
        ]),
      ],
      [account(wallet1, 'EUR', 0n)],
    );
    expect(statuses(d)).toEqual(Array(5).fill('REJECTED UNBALANCED'));
  });

  it('defers a wallet or jar account not open yet, rejects an unknown name, opens external and hold accounts lazily', () => {
    const hold = accountId.hold(OP);
    const d = decide(
      [
        move('missing', deposits('EUR'), accountId.jar(W2), 1n),
        move('bogus', deposits('EUR'), 'nonsense', 1n),
      ],
      [],
    );
    expect(statuses(d)).toEqual(['DEFERRED', 'REJECTED ACCOUNT_NOT_FOUND']);

    const held = decide([move('hold', wallet1, hold, 300n)], [account(wallet1, 'EUR', 1000n)]);
    expect(statuses(held)).toEqual(['POSTED']);
    expect(held.opened).toEqual([
      {
        id: hold,
        kind: 'HOLD',
        currency: 'EUR',
        walletId: null,
        ownerId: null,
        balance: 300n,
        closed: false,
        expiresAt: null,
      },
    ]);
    expect(held.balances).toEqual(new Map([[wallet1, 700n]]));
  });

  it('gives a hold the expiry of the command that opens it, and keeps it through later commands', () => {
    const hold = accountId.hold(OP);
    const expiry = new Date('2026-12-05T10:00:00.000Z');
    const holdWith = (key: string, expiresAt: Date | null, amount: bigint) =>
      command(
        key,
        [
          [wallet1, -amount, 'EUR'],
          [hold, amount, 'EUR'],
        ],
        OP,
        expiresAt,
      );
    const opened = decide(
      [holdWith('a', expiry, 100n), holdWith('b', null, 50n)],
      [account(wallet1, 'EUR', 1000n)],
    );
    expect(opened.opened.map((a) => [a.id, a.balance, a.expiresAt])).toEqual([[hold, 150n, expiry]]);

    const existing = decide(
      [holdWith('c', new Date('2027-01-01T00:00:00.000Z'), 10n)],
      [account(wallet1, 'EUR', 1000n), account(hold, 'EUR', 0n, { expiresAt: expiry })],
    );
    expect(existing.opened).toEqual([]);
    expect(existing.balances).toEqual(
      new Map([
        [wallet1, 990n],
        [hold, 10n],
      ]),
    );
  });

  it('never lets a hold account go below zero', () => {
    const d = decide([move('k', accountId.hold(OP), wallet1, 1n)], [account(wallet1, 'EUR', 0n)]);
    expect(statuses(d)).toEqual(['REJECTED INSUFFICIENT_FUNDS']);
  });

  it('rejects postings in another currency than the account holds', () => {
    const d = decide(
      [
        move('wallet', deposits('USD'), wallet1, 100n, 'USD'),
        move('external', deposits('EUR'), wallet1, 100n, 'USD'),
      ],
      [account(wallet1, 'EUR', 0n)],
    );
    expect(statuses(d)).toEqual(['REJECTED CURRENCY_MISMATCH', 'REJECTED CURRENCY_MISMATCH']);
  });

  it('rejects postings to a closed (archived) wallet, credits included', () => {
    const d = decide(
      [move('k', deposits('EUR'), wallet1, 100n)],
      [account(wallet1, 'EUR', 0n, { closed: true })],
    );
    expect(statuses(d)).toEqual(['REJECTED WALLET_ARCHIVED']);
  });

  it('books an account named twice in one entry with its balance after the whole entry', () => {
    const d = decide(
      [
        command('k', [
          [wallet1, -100n, 'EUR'],
          [wallet1, -50n, 'EUR'],
          [jar, 150n, 'EUR'],
        ]),
      ],
      [account(wallet1, 'EUR', 150n), account(jar, 'EUR', 0n)],
    );
    const posted = d.decisions[0]!;
    expect(posted.status === 'POSTED' && posted.postings.map((p) => p.balanceAfter)).toEqual([0n, 0n, 150n]);
    expect(posted.status === 'POSTED' && posted.walletIds).toEqual([W1]);
  });
});

describe('a batch', () => {
  it('applies commands in order: a later command spends an earlier one’s credit', () => {
    const d = decide(
      [
        move('deposit', deposits('EUR'), wallet1, 1000n),
        move('spend', wallet1, wallet2, 1000n),
        move('over', wallet1, wallet2, 1n),
      ],
      [account(wallet1, 'EUR', 0n), account(wallet2, 'EUR', 0n)],
    );
    expect(statuses(d)).toEqual(['POSTED', 'POSTED', 'REJECTED INSUFFICIENT_FUNDS']);
    expect(d.balances).toEqual(
      new Map([
        [wallet1, 0n],
        [wallet2, 1000n],
      ]),
    );
  });

  it('posts the others when one command is refused', () => {
    const d = decide(
      [
        move('a', wallet1, wallet2, 400n),
        move('b', wallet1, wallet2, 400n),
        move('c', wallet1, wallet2, 100n),
      ],
      [account(wallet1, 'EUR', 500n), account(wallet2, 'EUR', 0n)],
    );
    expect(statuses(d)).toEqual(['POSTED', 'REJECTED INSUFFICIENT_FUNDS', 'POSTED']);
    expect(d.balances).toEqual(
      new Map([
        [wallet1, 0n],
        [wallet2, 500n],
      ]),
    );
  });

  it('replays a key repeated inside the batch, and refuses it with other postings', () => {
    const d = decide(
      [
        move('k', deposits('EUR'), wallet1, 100n),
        move('k', deposits('EUR'), wallet1, 100n),
        move('k', deposits('EUR'), wallet1, 999n),
      ],
      [account(wallet1, 'EUR', 0n)],
    );
    expect(d.decisions[1]).toEqual({ status: 'REPLAYED', of: { index: 0 } });
    expect(d.decisions[2]).toMatchObject({
      status: 'REJECTED',
      reason: 'IDEMPOTENCY_KEY_REUSED',
      recorded: false,
    });
    expect(d.balances).toEqual(new Map([[wallet1, 100n]]));
  });

  it('replays a key repeated after a rejection with the original rejection', () => {
    const d = decide(
      [
        move('k', wallet1, wallet2, 100n),
        move('credit', deposits('EUR'), wallet1, 100n),
        move('k', wallet1, wallet2, 100n),
      ],
      [account(wallet1, 'EUR', 0n), account(wallet2, 'EUR', 0n)],
    );
    expect(statuses(d)).toEqual(['REJECTED INSUFFICIENT_FUNDS', 'POSTED', 'REPLAYED']);
    expect(d.decisions[2]).toEqual({ status: 'REPLAYED', of: { index: 0 } });
  });

  it('replays a stored result, and refuses the stored key with other postings', () => {
    const original = move('k', deposits('EUR'), wallet1, 100n);
    const stored: StoredResult = { outcome: 'POSTED', requestHash: original.requestHash, entryId: 'e1' };
    const d = decide(
      [original, move('k', deposits('EUR'), wallet1, 5n)],
      [account(wallet1, 'EUR', 0n)],
      [['k', stored]],
    );
    expect(d.decisions).toEqual([
      { status: 'REPLAYED', of: { stored } },
      expect.objectContaining({ status: 'REJECTED', reason: 'IDEMPOTENCY_KEY_REUSED', recorded: false }),
    ]);
    expect(d.balances.size).toBe(0);
  });

  it('treats the same postings listed in another order as the same request', () => {
    const a = command(
      'k',
      [
        [deposits('EUR'), -1n, 'EUR'],
        [wallet1, 1n, 'EUR'],
      ],
      OP,
    );
    const b = command(
      'k',
      [
        [wallet1, 1n, 'EUR'],
        [deposits('EUR'), -1n, 'EUR'],
      ],
      OP,
    );
    const c = command(
      'k',
      [
        [wallet1, 1n, 'EUR'],
        [deposits('EUR'), -1n, 'EUR'],
      ],
      null,
    );
    expect(a.requestHash).toBe(b.requestHash);
    expect(a.requestHash).not.toBe(c.requestHash);
  });
});

describe('amounts in currencies of every exponent', () => {
  it.each([
    ['JPY', '1500', 1500n],
    ['USD', '12.34', 1234n],
    ['KWD', '1.005', 1005n],
  ])('moves %s %s as %s minor units and back', (currency, decimal, minor) => {
    const amount = parseAmount(decimal, currency as 'JPY', 'amount');
    expect(amount).toBe(minor);
    const d = decide(
      [
        move('in', deposits(currency), wallet1, amount, currency),
        move('out', wallet1, wallet2, amount, currency),
      ],
      [account(wallet1, currency, 0n), account(wallet2, currency, 0n)],
    );
    expect(statuses(d)).toEqual(['POSTED', 'POSTED']);
    expect(d.balances).toEqual(
      new Map([
        [wallet1, 0n],
        [wallet2, minor],
      ]),
    );
  });

  it('keeps balances beyond 2^53 exact', () => {
    const big = 2n ** 60n + 1n;
    const d = decide([move('k', deposits('KWD'), wallet1, big, 'KWD')], [account(wallet1, 'KWD', 2n ** 53n)]);
    expect(d.balances.get(wallet1)).toBe(2n ** 60n + 2n ** 53n + 1n);
  });
});
