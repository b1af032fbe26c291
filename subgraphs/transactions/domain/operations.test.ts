import { operationKinds } from '@walletgraph/events';
import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { refusalOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import type { OperationRow } from '../db/schema.ts';
import {
  parseDeposit,
  parseJarMove,
  parseMoveBetweenJars,
  parseTransfer,
  parseWithdrawal,
} from '../inputs.ts';
import { operationRow } from '../test/fixtures.ts';
import {
  authorizeSource,
  checkRecipient,
  decideOperation,
  ledgerPostFor,
  type RecipientCheck,
  replayOf,
  type WalletState,
} from './operations.ts';
import type { WalletRequest } from './requests.ts';

const alice = '0196f0a0-0000-7000-8000-00000000a11c';
const bob = '0196f0a0-0000-7000-8000-000000000b0b';
const aliceWallet: WalletState = {
  walletId: '0196f0a0-0000-7000-8000-000000000001',
  ownerId: alice,
  currency: 'EUR',
  status: 'ACTIVE',
  isDefault: true,
};
const bobWallet: WalletState = {
  walletId: '0196f0a0-0000-7000-8000-000000000002',
  ownerId: bob,
  currency: 'EUR',
  status: 'ACTIVE',
  isDefault: true,
};
const savingsJar = '0196f0a0-0000-7000-8000-00000000001a';
const holidayJar = '0196f0a0-0000-7000-8000-00000000001b';
const now = new Date('2026-11-22T10:00:00Z');
const deps = { newId: () => '0196f0a0-0000-7000-8000-0000000000op', now };
const money = { amount: '12.50', currency: 'EUR' };
/** Given what authorisation made of a request (its parties, its hash), when the request is decided. */
const given = deciderSpecification(
  (state: Parameters<typeof decideOperation>[1], request: Parameters<typeof decideOperation>[0]) =>
    decideOperation(request, state, deps),
);
const depositOf = (walletId = aliceWallet.walletId, amount = money) =>
  parseDeposit({ walletId, amount, idempotencyKey: 'k1' });
const transferTo = (to: { toWalletId?: string; toEmail?: string }) =>
  parseTransfer({
    fromWalletId: aliceWallet.walletId,
    amount: money,
    idempotencyKey: 'k1',
    ...to,
  }) as WalletRequest & { kind: 'TRANSFER' };
/** The row a decision makes of Alice's 12.50 EUR request with key `k1`: PENDING, created now. */
const pendingOf = (fields: Pick<OperationRow, 'kind' | 'requestHash'> & Partial<OperationRow>) =>
  operationRow({
    id: deps.newId(),
    ownerId: alice,
    walletId: aliceWallet.walletId,
    amountMinor: 1250n,
    idempotencyKey: 'k1',
    createdAt: now,
    ...fields,
  });

describe('source wallet', () => {
  it('accepts the caller’s own active wallet in the request’s currency', () => {
    expect(authorizeSource(depositOf(), aliceWallet, alice)).toBe(aliceWallet);
  });

  it('answers NOT_FOUND alike for an unknown wallet and for another user’s, archived or not', () => {
    const unknown = refusalOf(() => authorizeSource(depositOf(), null, alice));
    expect(unknown).toEqual({ code: 'NOT_FOUND', field: 'input.walletId' });
    expect(refusalOf(() => authorizeSource(depositOf(), aliceWallet, bob))).toEqual(unknown);
    const archived = { ...aliceWallet, status: 'ARCHIVED' as const };
    expect(refusalOf(() => authorizeSource(depositOf(), archived, bob))).toEqual(unknown);
    const transfer = transferTo({ toWalletId: bobWallet.walletId });
    expect(refusalOf(() => authorizeSource(transfer, null, alice)).field).toBe('input.fromWalletId');
  });

  it('refuses the owner’s archived wallet with WALLET_ARCHIVED', () => {
    const archived = { ...aliceWallet, status: 'ARCHIVED' as const };
    expect(refusalOf(() => authorizeSource(depositOf(), archived, alice))).toEqual({
      code: 'WALLET_ARCHIVED',
      field: 'input.walletId',
    });
  });

  it('refuses another currency than the wallet’s with CURRENCY_MISMATCH', () => {
    const usd = depositOf(aliceWallet.walletId, { amount: '1.00', currency: 'USD' });
    expect(refusalOf(() => authorizeSource(usd, aliceWallet, alice))).toEqual({
      code: 'CURRENCY_MISMATCH',
      field: 'input.amount.currency',
    });
  });
});

describe('transfer recipient', () => {
  it('by id: the wallet, or the reason it cannot receive', () => {
    const byId = transferTo({ toWalletId: bobWallet.walletId });
    expect(checkRecipient(byId, aliceWallet, bobWallet)).toEqual({ ok: true, wallet: bobWallet });
    expect(checkRecipient(byId, aliceWallet, null)).toEqual({
      ok: false,
      failureCode: 'RECIPIENT_NOT_FOUND',
    });
    expect(checkRecipient(byId, aliceWallet, { ...bobWallet, currency: 'USD' })).toEqual({
      ok: false,
      failureCode: 'CURRENCY_MISMATCH',
    });
    expect(checkRecipient(byId, aliceWallet, { ...bobWallet, status: 'ARCHIVED' })).toEqual({
      ok: false,
      failureCode: 'WALLET_ARCHIVED',
    });
    // Another wallet of one's own is a fine recipient.
    const second = { ...aliceWallet, walletId: '0196f0a0-0000-7000-8000-000000000003', isDefault: false };
    expect(checkRecipient(transferTo({ toWalletId: second.walletId }), aliceWallet, second)).toEqual({
      ok: true,
      wallet: second,
    });
  });

  it('by email: only an active default wallet in the same currency; anything else is RECIPIENT_NOT_FOUND', () => {
    const byEmail = transferTo({ toEmail: 'bob@example.com' });
    expect(checkRecipient(byEmail, aliceWallet, bobWallet)).toEqual({ ok: true, wallet: bobWallet });
    const notFound = { ok: false, failureCode: 'RECIPIENT_NOT_FOUND' };
    expect(checkRecipient(byEmail, aliceWallet, null)).toEqual(notFound);
    expect(checkRecipient(byEmail, aliceWallet, { ...bobWallet, currency: 'USD' })).toEqual(notFound);
    expect(checkRecipient(byEmail, aliceWallet, { ...bobWallet, status: 'ARCHIVED' })).toEqual(notFound);
    expect(checkRecipient(byEmail, aliceWallet, { ...bobWallet, isDefault: false })).toEqual(notFound);
  });

  it('refuses one’s own email when it resolves to the source wallet', () => {
    expect(
      refusalOf(() => checkRecipient(transferTo({ toEmail: 'alice@example.com' }), aliceWallet, aliceWallet)),
    ).toEqual({ code: 'BAD_USER_INPUT', field: 'input.toEmail' });
  });
});

describe('operation decision', () => {
  const hash = 'h'.repeat(64);
  /** What authorisation makes of a wallet request: its wallet and, for a transfer, the recipient. */
  const onWallet = (source: WalletState, recipient: RecipientCheck | null = null) => ({
    source,
    recipient,
    jarId: null,
    counterpartyJarId: null,
    requestHash: hash,
  });

  it('a deposit is PENDING with a command moving the amount from external deposits to the wallet', () => {
    given(onWallet(aliceWallet))
      .when(depositOf())
      .then({
        operation: pendingOf({ kind: 'DEPOSIT', requestHash: hash }),
        ledgerPost: {
          idempotencyKey: `op:${deps.newId()}`,
          operationId: deps.newId(),
          description: 'Deposit',
          postings: [
            { account: 'external:deposits:EUR', amount: '-1250', currency: 'EUR' },
            { account: `wallet:${aliceWallet.walletId}:available`, amount: '1250', currency: 'EUR' },
          ],
        },
      });
  });

  it('a withdrawal moves the amount from the wallet’s available balance to external withdrawals', () => {
    const request = parseWithdrawal({ walletId: aliceWallet.walletId, amount: money, idempotencyKey: 'k' });
    const { ledgerPost } = decideOperation(request, onWallet(aliceWallet), deps);
    expect(ledgerPost?.postings).toEqual([
      { account: `wallet:${aliceWallet.walletId}:available`, amount: '-1250', currency: 'EUR' },
      { account: 'external:withdrawals:EUR', amount: '1250', currency: 'EUR' },
    ]);
  });

  it('a transfer moves between the two available balances and records the recipient', () => {
    const request = transferTo({ toEmail: 'bob@example.com' });
    const decision = decideOperation(request, onWallet(aliceWallet, { ok: true, wallet: bobWallet }), deps);
    expect(decision.operation).toMatchObject({
      kind: 'TRANSFER',
      status: 'PENDING',
      counterpartyWalletId: bobWallet.walletId,
      counterpartyOwnerId: bob,
    });
    expect(decision.ledgerPost?.postings).toEqual([
      { account: `wallet:${aliceWallet.walletId}:available`, amount: '-1250', currency: 'EUR' },
      { account: `wallet:${bobWallet.walletId}:available`, amount: '1250', currency: 'EUR' },
    ]);
  });

  it('a transfer whose recipient cannot receive is FAILED at once, settled now, with no command', () => {
    given(onWallet(aliceWallet, { ok: false, failureCode: 'RECIPIENT_NOT_FOUND' }))
      .when(transferTo({ toEmail: 'nobody@example.com' }))
      .then({
        operation: expect.objectContaining({
          status: 'FAILED',
          failureCode: 'RECIPIENT_NOT_FOUND',
          counterpartyWalletId: null,
          settledAt: now,
        }),
        ledgerPost: null,
      });
  });

  // Bill payments have no posting rule yet (ledgerPostFor refuses them).
  it.each(operationKinds.filter((kind) => kind !== 'BILL_PAYMENT'))(
    'a %s command’s postings sum to zero',
    (kind) => {
      const post = ledgerPostFor({
        id: 'op',
        kind,
        walletId: aliceWallet.walletId,
        counterpartyWalletId: bobWallet.walletId,
        jarId: savingsJar,
        counterpartyJarId: holidayJar,
        amountMinor: 123_456_789_012_345n,
        currency: 'JPY',
      });
      expect(post.postings.reduce((sum, p) => sum + BigInt(p.amount), 0n)).toBe(0n);
    },
  );
});

describe('jar move decision', () => {
  const hash = 'j'.repeat(64);
  const jarMove = (kind: 'JAR_ALLOCATION' | 'JAR_RELEASE' | 'JAR_SPEND') =>
    parseJarMove(kind, { jarId: savingsJar, amount: money, idempotencyKey: 'k1' });
  const move = parseMoveBetweenJars({
    fromJarId: savingsJar,
    toJarId: holidayJar,
    amount: money,
    idempotencyKey: 'k1',
  });
  /** What authorisation makes of a jar move: the jars' wallet and the jars. */
  const onJars = (counterpartyJarId: string | null = null) => ({
    source: { walletId: aliceWallet.walletId, ownerId: alice },
    recipient: null,
    jarId: savingsJar,
    counterpartyJarId,
    requestHash: hash,
  });
  const available = `wallet:${aliceWallet.walletId}:available`;

  it('an allocation is PENDING on the jar’s wallet, records the jar, and moves available → jar', () => {
    const decision = decideOperation(jarMove('JAR_ALLOCATION'), onJars(), deps);
    expect(decision.operation).toEqual(
      pendingOf({ kind: 'JAR_ALLOCATION', requestHash: hash, jarId: savingsJar }),
    );
    expect(decision.ledgerPost).toEqual({
      idempotencyKey: `op:${deps.newId()}`,
      operationId: deps.newId(),
      description: 'Jar allocation',
      postings: [
        { account: available, amount: '-1250', currency: 'EUR' },
        { account: `jar:${savingsJar}`, amount: '1250', currency: 'EUR' },
      ],
    });
  });

  it('a release moves jar → available', () => {
    const { ledgerPost } = decideOperation(jarMove('JAR_RELEASE'), onJars(), deps);
    expect(ledgerPost).toMatchObject({ description: 'Jar release', idempotencyKey: `op:${deps.newId()}` });
    expect(ledgerPost?.postings).toEqual([
      { account: `jar:${savingsJar}`, amount: '-1250', currency: 'EUR' },
      { account: available, amount: '1250', currency: 'EUR' },
    ]);
  });

  it('a move between jars records the target jar and moves jar → jar', () => {
    const decision = decideOperation(move, onJars(holidayJar), deps);
    expect(decision.operation).toMatchObject({
      kind: 'JAR_MOVE',
      walletId: aliceWallet.walletId,
      jarId: savingsJar,
      counterpartyJarId: holidayJar,
      counterpartyWalletId: null,
    });
    expect(decision.ledgerPost).toMatchObject({ description: 'Move between jars' });
    expect(decision.ledgerPost?.postings).toEqual([
      { account: `jar:${savingsJar}`, amount: '-1250', currency: 'EUR' },
      { account: `jar:${holidayJar}`, amount: '1250', currency: 'EUR' },
    ]);
  });

  it('a spend moves jar → external withdrawals in the currency', () => {
    const { ledgerPost } = decideOperation(jarMove('JAR_SPEND'), onJars(), deps);
    expect(ledgerPost).toMatchObject({ description: 'Jar spend' });
    expect(ledgerPost?.postings).toEqual([
      { account: `jar:${savingsJar}`, amount: '-1250', currency: 'EUR' },
      { account: 'external:withdrawals:EUR', amount: '1250', currency: 'EUR' },
    ]);
  });

  it('a spend past a budget that blocks overspending is FAILED at once, settled now, with no command', () => {
    given({ ...onJars(), budget: { ok: false, failureCode: 'BUDGET_EXCEEDED' } })
      .when(jarMove('JAR_SPEND'))
      .then({
        operation: expect.objectContaining({
          kind: 'JAR_SPEND',
          status: 'FAILED',
          failureCode: 'BUDGET_EXCEEDED',
          jarId: savingsJar,
          settledAt: now,
        }),
        ledgerPost: null,
      });
  });

  it('a spend within its budget is PENDING with its command, as one without a budget', () => {
    const within = decideOperation(jarMove('JAR_SPEND'), { ...onJars(), budget: { ok: true } }, deps);
    expect(within).toEqual(decideOperation(jarMove('JAR_SPEND'), onJars(), deps));
    expect(within.operation).toMatchObject({ status: 'PENDING', failureCode: null });
  });

  it('a jar operation without its jar (or a move without its target) is a bug, not a command', () => {
    const row = {
      id: 'op',
      walletId: aliceWallet.walletId,
      counterpartyWalletId: null,
      amountMinor: 1n,
      currency: 'EUR',
    };
    expect(() => ledgerPostFor({ ...row, kind: 'JAR_SPEND', jarId: null, counterpartyJarId: null })).toThrow(
      'JAR_SPEND op has no jar',
    );
    expect(() =>
      ledgerPostFor({ ...row, kind: 'JAR_MOVE', jarId: savingsJar, counterpartyJarId: null }),
    ).toThrow('jar move op has no target jar');
  });
});

describe('idempotent replay', () => {
  const existing = { requestHash: 'same' } as OperationRow;

  it('returns the operation the key made for the same request', () => {
    expect(replayOf(existing, 'same')).toBe(existing);
  });

  it('refuses another request with the key: IDEMPOTENCY_KEY_REUSED', () => {
    expect(refusalOf(() => replayOf(existing, 'other'))).toEqual({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
    });
  });
});
