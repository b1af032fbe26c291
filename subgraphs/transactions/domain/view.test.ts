import { describe, expect, it } from 'vitest';
import type { OperationRow } from '../db/schema.ts';
import {
  counterpartyWalletId,
  directionOf,
  idempotencyKeyFor,
  ownWalletId,
  viewFor,
  viewOnWallet,
} from './view.ts';

const alice = 'alice';
const bob = 'bob';
const transfer = {
  id: 'op',
  ownerId: alice,
  walletId: 'wa',
  kind: 'TRANSFER',
  status: 'COMPLETED',
  counterpartyWalletId: 'wb',
  counterpartyOwnerId: bob,
  idempotencyKey: 'alice-key',
} as OperationRow;

describe('who sees an operation, from which side', () => {
  it('the owner sees it from their wallet', () => {
    const view = viewFor(transfer, alice)!;
    expect(view.side).toBe('SOURCE');
    expect(ownWalletId(view)).toBe('wa');
    expect(counterpartyWalletId(view)).toBe('wb');
    expect(directionOf(view)).toBe('OUT');
    expect(idempotencyKeyFor(view)).toBe('alice-key');
  });

  it('the recipient of a completed transfer sees it from theirs, without the sender’s key', () => {
    const view = viewFor(transfer, bob)!;
    expect(view.side).toBe('COUNTERPARTY');
    expect(ownWalletId(view)).toBe('wb');
    expect(counterpartyWalletId(view)).toBe('wa');
    expect(directionOf(view)).toBe('IN');
    expect(idempotencyKeyFor(view)).toBe('');
  });

  it('the recipient sees nothing of a pending or failed transfer; anyone else nothing at all', () => {
    expect(viewFor({ ...transfer, status: 'PENDING' }, bob)).toBeNull();
    expect(viewFor({ ...transfer, status: 'FAILED' }, bob)).toBeNull();
    expect(viewFor(transfer, 'mallory')).toBeNull();
    expect(viewFor(transfer, undefined)).toBeNull();
  });

  it('on a wallet’s history, each wallet shows its own side, also between one user’s own wallets', () => {
    const own = { ...transfer, counterpartyOwnerId: alice };
    expect(viewOnWallet(own, 'wa', alice)?.side).toBe('SOURCE');
    expect(viewOnWallet(own, 'wb', alice)?.side).toBe('COUNTERPARTY');
    expect(viewOnWallet(transfer, 'wb', bob)?.side).toBe('COUNTERPARTY');
    expect(viewOnWallet(transfer, 'wa', bob)).toBeNull();
    expect(viewOnWallet(transfer, 'wb', alice)).toBeNull();
  });

  it('direction: deposits in, withdrawals and spending out, jar moves internal', () => {
    const dir = (kind: OperationRow['kind']) => directionOf({ row: { ...transfer, kind }, side: 'SOURCE' });
    expect(dir('DEPOSIT')).toBe('IN');
    expect(dir('WITHDRAWAL')).toBe('OUT');
    expect(dir('JAR_SPEND')).toBe('OUT');
    expect(dir('BILL_PAYMENT')).toBe('OUT');
    expect(dir('JAR_ALLOCATION')).toBe('INTERNAL');
    expect(dir('JAR_RELEASE')).toBe('INTERNAL');
    expect(dir('JAR_MOVE')).toBe('INTERNAL');
    expect(
      counterpartyWalletId({
        row: { ...transfer, kind: 'DEPOSIT', counterpartyWalletId: null },
        side: 'SOURCE',
      }),
    ).toBeNull();
  });

  it('shows the sender the counterparty wallet only once the transfer COMPLETED', () => {
    const failed = { ...transfer, status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' } as OperationRow;
    expect(counterpartyWalletId({ row: failed, side: 'SOURCE' })).toBeNull();
    expect(counterpartyWalletId({ row: { ...transfer, status: 'PENDING' }, side: 'SOURCE' })).toBeNull();
    expect(counterpartyWalletId({ row: transfer, side: 'SOURCE' })).toBe('wb');
  });

  it('a jar move shows on its jar’s wallet, to its owner only, with no counterparty wallet', () => {
    const allocation = {
      ...transfer,
      kind: 'JAR_ALLOCATION',
      counterpartyWalletId: null,
      counterpartyOwnerId: null,
      jarId: 'jar-1',
    } as OperationRow;
    const view = viewOnWallet(allocation, 'wa', alice)!;
    expect(view).toEqual({ row: allocation, side: 'SOURCE' });
    expect(ownWalletId(view)).toBe('wa');
    expect(counterpartyWalletId(view)).toBeNull();
    expect(directionOf(view)).toBe('INTERNAL');
    expect(directionOf({ row: { ...allocation, kind: 'JAR_SPEND' }, side: 'SOURCE' })).toBe('OUT');
    expect(viewFor(allocation, bob)).toBeNull();
    expect(viewOnWallet(allocation, 'wa', bob)).toBeNull();
  });
});
