import { describe, expect, it } from 'vitest';
import {
  counterpartiesOf,
  DEFAULT_WALLET_NAME,
  defaultWalletFor,
  isVisibleTo,
  refuseOpening,
  viewFor,
} from './wallet.ts';

describe('wallet rules', () => {
  it('opens the default wallet in the registration currency, owned by the new user', () => {
    const now = new Date('2026-11-22T10:00:00Z');
    const wallet = defaultWalletFor({ userId: 'u1', currency: 'JPY' }, { newId: () => 'w1', now });
    expect(wallet).toEqual({
      id: 'w1',
      ownerId: 'u1',
      name: DEFAULT_WALLET_NAME,
      currency: 'JPY',
      status: 'ACTIVE',
      isDefault: true,
      createdAt: now,
    });
  });

  it.each([0, 2])('lets a user who owns %s of 3 wallets open another', (owned) => {
    expect(refuseOpening(owned, 3)).toBeNull();
  });

  it.each([3, 4])('refuses a user who owns %s of 3 wallets with WALLET_LIMIT_REACHED', (owned) => {
    expect(refuseOpening(owned, 3)).toMatchObject({ code: 'WALLET_LIMIT_REACHED', details: { limit: 3 } });
  });

  it.each([
    { name: 'its owner', viewerId: 'u1', visible: true },
    { name: 'another user', viewerId: 'u2', visible: false },
    { name: 'an anonymous caller', viewerId: undefined, visible: false },
  ])('shows a wallet to its owner only: to $name, $visible', ({ viewerId, visible }) => {
    expect(isVisibleTo({ ownerId: 'u1' }, viewerId)).toBe(visible);
  });

  const wallet = {
    id: 'w1',
    ownerId: 'u1',
    name: 'Main',
    currency: 'EUR',
    status: 'ACTIVE' as const,
    isDefault: true,
    createdAt: new Date('2026-11-22T10:00:00Z'),
  };

  it('shows the owner their wallet as it is', () => {
    expect(viewFor(wallet, 'u1', false)).toBe(wallet);
  });

  it.each([
    { viewer: 'a counterparty', viewerId: 'u2', counterparty: true, view: { ...wallet, restricted: true } },
    { viewer: 'another user', viewerId: 'u2', counterparty: false, view: null },
    { viewer: 'an anonymous caller', viewerId: undefined, counterparty: true, view: null },
  ])(
    'shows a counterparty of a completed transfer a restricted view, and anyone else nothing: $viewer',
    ({ viewerId, counterparty, view }) => {
      expect(viewFor(wallet, viewerId, counterparty)).toEqual(view);
    },
  );

  const settled = {
    kind: 'TRANSFER',
    status: 'COMPLETED',
    ownerId: 'sender',
    walletId: 'ws',
    counterpartyWalletId: 'wr',
    counterpartyOwnerId: 'recipient',
  };

  it('makes each side of a completed transfer a counterparty of the other’s wallet', () => {
    expect(counterpartiesOf(settled)).toEqual([
      { viewerId: 'sender', walletId: 'wr', ownerId: 'recipient' },
      { viewerId: 'recipient', walletId: 'ws', ownerId: 'sender' },
    ]);
  });

  it.each([
    { name: 'a failed transfer', operation: { ...settled, status: 'FAILED' } },
    {
      name: 'a deposit',
      operation: { ...settled, kind: 'DEPOSIT', counterpartyWalletId: null, counterpartyOwnerId: null },
    },
  ])('makes no counterparties of $name', ({ operation }) => {
    expect(counterpartiesOf(operation)).toEqual([]);
  });
});
