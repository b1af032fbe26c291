import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { describe, expect, it } from 'vitest';
import type { LedgerAccount } from './accounts.ts';
import { accountId } from './accounts.ts';
import {
  type PostCommand,
  type Posting,
  requestHash,
  type SweepCommand,
  sweepCommandFrom,
  sweepRequestHash,
} from './command.ts';
import { type BatchDecision, decideBatch, type StoredResult } from './posting.ts';

const W1 = '00000000-0000-4000-8000-000000000001';
const W2 = '00000000-0000-4000-8000-000000000002';
const J1 = '00000000-0000-4000-8000-0000000000a1';
const J2 = '00000000-0000-4000-8000-0000000000a2';
const OP = '00000000-0000-4000-8000-0000000000f1';
const wallet1 = accountId.walletAvailable(W1);
const wallet2 = accountId.walletAvailable(W2);
const jar1 = accountId.jar(J1);
const jar2 = accountId.jar(J2);

/** An open EUR account of wallet 1 (wallet 2 for `wallet2` and `jar2`). */
function account(id: string, balance: bigint, extra: Partial<LedgerAccount> = {}): LedgerAccount {
  const walletId = id === wallet2 || id === jar2 ? W2 : W1;
  const kind = id.startsWith('jar:') ? 'JAR' : 'WALLET_AVAILABLE';
  return {
    id,
    kind,
    currency: 'EUR',
    walletId,
    ownerId: 'owner',
    balance,
    closed: false,
    expiresAt: null,
    ...extra,
  };
}

const sweep = (key: string, from = jar1, to = wallet1, operationId: string | null = null): SweepCommand =>
  sweepCommandFrom({ idempotencyKey: key, operationId, description: key, from, to });

function move(key: string, from: string, to: string, amount: bigint): PostCommand {
  const postings: Posting[] = [
    { account: from, amount: -amount, currency: 'EUR' },
    { account: to, amount, currency: 'EUR' },
  ];
  return {
    kind: 'POST',
    idempotencyKey: key,
    requestHash: requestHash(null, postings),
    operationId: null,
    description: key,
    postings,
    holdExpiresAt: null,
  };
}

function decide(
  commands: (PostCommand | SweepCommand)[],
  accounts: LedgerAccount[],
  stored: [string, StoredResult][] = [],
) {
  return decideBatch(commands, {
    accounts: new Map(accounts.map((a) => [a.id, a])),
    stored: new Map(stored),
  });
}

/** Given the accounts, when a batch of commands is decided. */
const given = deciderSpecification((accounts: LedgerAccount[], commands: (PostCommand | SweepCommand)[]) =>
  decide(commands, accounts),
);

const statuses = (d: BatchDecision) =>
  d.decisions.map((x) => (x.status === 'REJECTED' ? `REJECTED ${x.reason}` : x.status));

describe('sweeping a jar', () => {
  it('moves the jar’s whole balance to its wallet’s available account, as an entry like a post’s', () => {
    given([account(jar1, 750n), account(wallet1, 100n)])
      .when([sweep('s')])
      .then({
        decisions: [
          {
            status: 'POSTED',
            postings: [
              { account: jar1, amount: -750n, currency: 'EUR', balanceAfter: 0n },
              { account: wallet1, amount: 750n, currency: 'EUR', balanceAfter: 850n },
            ],
            walletIds: [W1],
          },
        ],
        balances: new Map([
          [jar1, 0n],
          [wallet1, 850n],
        ]),
        opened: [],
      });
  });

  it('rejects NOTHING_TO_MOVE when the jar is at zero, and records it so a replay answers the same', () => {
    given([account(jar1, 0n), account(wallet1, 100n)])
      .when([sweep('s')])
      .then({
        decisions: [
          {
            status: 'REJECTED',
            reason: 'NOTHING_TO_MOVE',
            detail: `account ${jar1} holds nothing`,
            recorded: true,
          },
        ],
        balances: new Map(),
        opened: [],
      });
  });

  it('sees the posts before it in the batch, and the posts after it see the jar empty', () => {
    const d = decide(
      [
        move('allocate', wallet1, jar1, 300n),
        sweep('s'),
        move('spend', jar1, accountId.external('biller', 'EUR'), 1n),
        sweep('again'),
      ],
      [account(jar1, 200n), account(wallet1, 300n)],
    );
    expect(statuses(d)).toEqual([
      'POSTED',
      'POSTED',
      'REJECTED INSUFFICIENT_FUNDS',
      'REJECTED NOTHING_TO_MOVE',
    ]);
    const swept = d.decisions[1]!;
    expect(swept.status === 'POSTED' && swept.postings.map((p) => p.amount)).toEqual([-500n, 500n]);
    expect(d.balances).toEqual(
      new Map([
        [wallet1, 500n],
        [jar1, 0n],
      ]),
    );
  });

  it('replays a sweep key whatever the balance is now: in the batch, and stored', () => {
    const inBatch = decide(
      [sweep('s'), move('allocate', wallet1, jar1, 50n), sweep('s')],
      [account(jar1, 10n), account(wallet1, 50n)],
    );
    expect(inBatch.decisions[2]).toEqual({ status: 'REPLAYED', of: { index: 0 } });
    expect(inBatch.balances).toEqual(
      new Map([
        [jar1, 50n],
        [wallet1, 10n],
      ]),
    );

    const stored: StoredResult = {
      outcome: 'REJECTED',
      requestHash: sweep('s').requestHash,
      reason: 'NOTHING_TO_MOVE',
      detail: 'nothing',
    };
    const later = decide([sweep('s')], [account(jar1, 999n), account(wallet1, 0n)], [['s', stored]]);
    expect(later.decisions).toEqual([{ status: 'REPLAYED', of: { stored } }]);
    expect(later.balances.size).toBe(0);
  });

  it('refuses IDEMPOTENCY_KEY_REUSED for a key used by another sweep or by a post, either way round', () => {
    const d = decide(
      [
        sweep('s'),
        sweep('s', jar1, wallet1, OP),
        sweep('s', jar2, wallet2),
        move('s', wallet1, jar1, 1n),
        move('p', wallet1, jar1, 1n),
        sweep('p'),
      ],
      [account(jar1, 10n), account(wallet1, 10n), account(jar2, 10n), account(wallet2, 10n)],
    );
    expect(statuses(d)).toEqual([
      'POSTED',
      'REJECTED IDEMPOTENCY_KEY_REUSED',
      'REJECTED IDEMPOTENCY_KEY_REUSED',
      'REJECTED IDEMPOTENCY_KEY_REUSED',
      'POSTED',
      'REJECTED IDEMPOTENCY_KEY_REUSED',
    ]);
    expect(d.decisions.filter((x) => x.status === 'REJECTED').every((x) => !x.recorded)).toBe(true);
  });

  it('hashes what a sweep asks (operation, accounts), not its label, and never as a post', () => {
    expect(sweep('a').requestHash).toBe(
      sweepCommandFrom({ ...sweepData('a'), description: 'reworded' }).requestHash,
    );
    expect(sweep('a').requestHash).not.toBe(sweep('a', jar1, wallet1, OP).requestHash);
    expect(sweepRequestHash(null, jar1, wallet1, null)).not.toBe(requestHash(null, []));
  });

  it('rejects ACCOUNT_NOT_FOUND for a source that is not a jar, a target that is not available, or another wallet', () => {
    const d = decide(
      [
        sweep('from-wallet', wallet1, wallet1),
        sweep('to-jar', jar1, jar2),
        sweep('other-wallet', jar2, wallet1),
      ],
      [account(jar1, 10n), account(wallet1, 0n), account(jar2, 10n), account(wallet2, 0n)],
    );
    expect(statuses(d)).toEqual(Array(3).fill('REJECTED ACCOUNT_NOT_FOUND'));
    expect(d.decisions[2]).toMatchObject({ detail: `jar ${jar2} does not belong to wallet ${W1}` });
  });

  it('defers a sweep whose jar or wallet is not open yet, like a post', () => {
    const d = decide(
      [sweep('no-jar'), sweep('no-wallet', jar2, wallet2)],
      [account(wallet1, 0n), account(jar2, 5n)],
    );
    expect(statuses(d)).toEqual(['DEFERRED', 'DEFERRED']);
  });

  it('rejects WALLET_ARCHIVED for a closed jar or wallet, whatever the balance', () => {
    const d = decide(
      [sweep('closed-jar'), sweep('closed-wallet', jar2, wallet2)],
      [
        account(jar1, 0n, { closed: true }),
        account(wallet1, 0n),
        account(jar2, 5n),
        account(wallet2, 0n, { closed: true }),
      ],
    );
    expect(statuses(d)).toEqual(['REJECTED WALLET_ARCHIVED', 'REJECTED WALLET_ARCHIVED']);
  });

  it('rejects CURRENCY_MISMATCH if the jar and its wallet ever held different currencies', () => {
    const d = decide([sweep('s')], [account(jar1, 5n), account(wallet1, 0n, { currency: 'USD' })]);
    expect(statuses(d)).toEqual(['REJECTED CURRENCY_MISMATCH']);
  });
});

function sweepData(key: string) {
  return { idempotencyKey: key, operationId: null, description: key, from: jar1, to: wallet1 };
}

describe('sweeping what a jar held at a moment', () => {
  const asOf = new Date('2026-12-01T00:00:00Z');
  const sweepAsOf = (key: string) =>
    sweepCommandFrom({
      idempotencyKey: key,
      operationId: null,
      description: key,
      from: jar1,
      to: wallet1,
      asOf: asOf.toISOString(),
    });

  it('moves only what the jar held then and has not left since, never more than it holds now', () => {
    const accounts = new Map([
      [jar1, account(jar1, 9_000n)],
      [wallet1, account(wallet1, 0n)],
    ]);
    const held = new Map([[`${jar1}@${asOf.toISOString()}`, 3_000n]]);
    const d = decideBatch([sweepAsOf('s')], { accounts, stored: new Map(), held });
    expect(d.decisions[0]).toMatchObject({
      status: 'POSTED',
      postings: [
        { account: jar1, amount: -3_000n, balanceAfter: 6_000n },
        { account: wallet1, amount: 3_000n, balanceAfter: 3_000n },
      ],
    });
    const capped = decideBatch([sweepAsOf('s')], {
      accounts: new Map([
        [jar1, account(jar1, 1_000n)],
        [wallet1, account(wallet1, 0n)],
      ]),
      stored: new Map(),
      held,
    });
    expect(capped.decisions[0]).toMatchObject({
      status: 'POSTED',
      postings: [{ amount: -1_000n }, { amount: 1_000n }],
    });
  });

  it('refuses NOTHING_TO_MOVE when nothing it held then is left, even with money that came in since', () => {
    const accounts = new Map([
      [jar1, account(jar1, 5_000n)],
      [wallet1, account(wallet1, 0n)],
    ]);
    const d = decideBatch([sweepAsOf('s')], {
      accounts,
      stored: new Map(),
      held: new Map([[`${jar1}@${asOf.toISOString()}`, 0n]]),
    });
    expect(d.decisions[0]).toMatchObject({ status: 'REJECTED', reason: 'NOTHING_TO_MOVE' });
  });

  it('hashes the moment: the same key asOf another moment is another request', () => {
    expect(sweepAsOf('s').requestHash).not.toBe(sweep('s').requestHash);
  });
});
