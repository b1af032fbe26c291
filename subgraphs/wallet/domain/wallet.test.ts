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

  it('shows a wallet to its owner only', () => {
    expect(isVisibleTo({ ownerId: 'u1' }, 'u1')).toBe(true);
    expect(isVisibleTo({ ownerId: 'u1' }, 'u2')).toBe(false);
    expect(isVisibleTo({ ownerId: 'u1' }, undefined)).toBe(false);
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

  it('shows a counterparty of a completed transfer a restricted view, and anyone else nothing', () => {
    expect(viewFor(wallet, 'u1', false)).toBe(wallet);
    expect(viewFor(wallet, 'u2', true)).toEqual({ ...wallet, restricted: true });
    expect(viewFor(wallet, 'u2', false)).toBeNull();
    expect(viewFor(wallet, undefined, true)).toBeNull();
  });

  it('makes each side of a completed transfer a counterparty of the other’s wallet, and nothing else', () => {
    const settled = {
      kind: 'TRANSFER',
      status: 'COMPLETED',
      ownerId: 'sender',
      walletId: 'ws',
      counterpartyWalletId: 'wr',
      counterpartyOwnerId: 'recipient',
    };
    expect(counterpartiesOf(settled)).toEqual([
      { viewerId: 'sender', walletId: 'wr', ownerId: 'recipient' },
      { viewerId: 'recipient', walletId: 'ws', ownerId: 'sender' },
    ]);
    expect(counterpartiesOf({ ...settled, status: 'FAILED' })).toEqual([]);
    expect(
      counterpartiesOf({
        ...settled,
        kind: 'DEPOSIT',
        counterpartyWalletId: null,
        counterpartyOwnerId: null,
      }),
    ).toEqual([]);
  });
});
