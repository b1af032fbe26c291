import { describe, expect, it } from 'vitest';
import { bindingOf, createEvent, routingKeyOf, topicMatches } from './index.ts';

const ids = {
  wallet: '0196f0a0-0000-7000-8000-000000000001',
  other: '0196f0a0-0000-7000-8000-000000000002',
  jar: '0196f0a0-0000-7000-8000-000000000003',
  op: '0196f0a0-0000-7000-8000-000000000004',
};
const meta = { correlationId: 'c1' };

function posted(operationId: string | null, accounts: [string, string]) {
  return createEvent(
    'ledger.posted.v1',
    {
      aggregateId: ids.op,
      data: {
        idempotencyKey: 'k',
        operationId,
        entryId: ids.op,
        sequence: '1',
        postings: [
          { account: accounts[0], amount: '-5', currency: 'EUR', balanceAfter: '0' },
          { account: accounts[1], amount: '5', currency: 'EUR', balanceAfter: '5' },
        ],
        walletIds: [ids.wallet],
      },
    },
    meta,
  );
}

describe('topicMatches', () => {
  it.each([
    ['wallet.opened.v1', 'wallet.opened.v1', true],
    ['wallet.opened.v1', 'wallet.archived.v1', false],
    ['wallet.*.v1', 'wallet.opened.v1', true],
    ['wallet.*', 'wallet.opened.v1', false],
    ['wallet.#', 'wallet.opened.v1', true],
    ['#', 'wallet.opened.v1', true],
    ['#.v1', 'jars.jar_created.v1', true],
    ['wallet.#.v1', 'wallet.v1', true],
    ['*.opened.v1', 'wallet.archived.v1', false],
    ['wallet.opened.v1.#', 'wallet.opened.v1', true],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});

describe('routing keys', () => {
  const available = (wallet: string) => `wallet:${wallet}:available`;

  it('say where a ledger entry came from and whether it moved a jar’s money', () => {
    const transfer = posted(ids.op, [available(ids.wallet), available(ids.other)]);
    const allocation = posted(null, [available(ids.wallet), `jar:${ids.jar}`]);
    expect(routingKeyOf(transfer)).toBe('ledger.posted.v1.operation.wallets');
    expect(routingKeyOf(allocation)).toBe('ledger.posted.v1.internal.jars');
    expect(topicMatches(bindingOf('ledger.posted.v1', '*.jars'), routingKeyOf(transfer))).toBe(false);
    expect(topicMatches(bindingOf('ledger.posted.v1', '*.jars'), routingKeyOf(allocation))).toBe(true);
    expect(topicMatches(bindingOf('ledger.posted.v1'), routingKeyOf(transfer))).toBe(true);
  });

  it('name a settled operation’s kind and status, and leave other types as they are', () => {
    const settled = createEvent(
      'transactions.operation_settled.v1',
      {
        aggregateId: ids.op,
        data: {
          operationId: ids.op,
          ownerId: ids.other,
          walletId: ids.wallet,
          kind: 'DEPOSIT',
          status: 'COMPLETED',
          failureCode: null,
          amount: '5',
          currency: 'EUR',
          counterpartyWalletId: null,
          counterpartyOwnerId: null,
          ledgerEntryId: ids.op,
          settledAt: new Date().toISOString(),
        },
      },
      meta,
    );
    expect(routingKeyOf(settled)).toBe('transactions.operation_settled.v1.deposit.completed');
    const opened = createEvent(
      'wallet.opened.v1',
      {
        aggregateId: ids.wallet,
        data: { walletId: ids.wallet, ownerId: ids.other, name: 'Main', currency: 'EUR', isDefault: true },
      },
      meta,
    );
    expect(routingKeyOf(opened)).toBe('wallet.opened.v1');
    expect(topicMatches(bindingOf('wallet.opened.v1'), routingKeyOf(opened))).toBe(true);
  });
});
