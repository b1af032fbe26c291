import { describe, expect, it } from 'vitest';
import { operationRow } from '../test/fixtures.ts';
import { contradicts, operationSettledData, settlementAudience, settlementFor } from './settlement.ts';

const at = new Date('2026-11-22T10:00:01Z');
const alice = '0196f0a0-0000-7000-8000-00000000a11c';
const bob = '0196f0a0-0000-7000-8000-000000000b0b';
const row = operationRow({
  id: '0196f0a0-0000-7000-8000-0000000000aa',
  ownerId: alice,
  walletId: '0196f0a0-0000-7000-8000-000000000001',
  kind: 'TRANSFER',
  status: 'COMPLETED',
  failureCode: null,
  amountMinor: 1250n,
  currency: 'EUR',
  counterpartyWalletId: '0196f0a0-0000-7000-8000-000000000002',
  counterpartyOwnerId: bob,
  jarId: null,
  counterpartyJarId: null,
  note: null,
  idempotencyKey: 'k1',
  requestHash: 'h',
  ledgerEntryId: '0196f0a0-0000-7000-8000-0000000000ee',
  createdAt: new Date('2026-11-22T10:00:00Z'),
  settledAt: at,
});

describe('settlement', () => {
  it('posted completes the operation with its ledger entry', () => {
    expect(settlementFor({ result: 'posted', entryId: 'e1' }, at)).toEqual({
      status: 'COMPLETED',
      failureCode: null,
      ledgerEntryId: 'e1',
      settledAt: at,
    });
  });

  it('rejected fails it with the ledger’s reason as the failure code', () => {
    expect(settlementFor({ result: 'rejected', reason: 'INSUFFICIENT_FUNDS' }, at)).toEqual({
      status: 'FAILED',
      failureCode: 'INSUFFICIENT_FUNDS',
      ledgerEntryId: null,
      settledAt: at,
    });
  });

  it('tells a repeated answer from one that contradicts the settlement', () => {
    const posted = { result: 'posted', entryId: 'e1' } as const;
    const rejected = { result: 'rejected', reason: 'INSUFFICIENT_FUNDS' } as const;
    expect(contradicts({ status: 'COMPLETED' }, posted)).toBe(false);
    expect(contradicts({ status: 'FAILED' }, rejected)).toBe(false);
    expect(contradicts({ status: 'COMPLETED' }, rejected)).toBe(true);
    expect(contradicts({ status: 'FAILED' }, posted)).toBe(true);
    expect(contradicts({ status: 'PENDING' }, posted)).toBe(false);
  });

  it('announces a settled operation with amounts as minor-unit strings', () => {
    expect(operationSettledData(row)).toEqual({
      operationId: row.id,
      ownerId: alice,
      walletId: row.walletId,
      kind: 'TRANSFER',
      status: 'COMPLETED',
      failureCode: null,
      amount: '1250',
      currency: 'EUR',
      counterpartyWalletId: row.counterpartyWalletId,
      counterpartyOwnerId: bob,
      ledgerEntryId: row.ledgerEntryId,
      settledAt: '2026-11-22T10:00:01.000Z',
    });
    expect(() => operationSettledData({ ...row, status: 'PENDING', settledAt: null })).toThrow(/not settled/);
  });

  it('tells the owner, and the recipient of a completed transfer, each once', () => {
    const completed = operationSettledData(row);
    expect(settlementAudience(completed)).toEqual([alice, bob]);
    expect(settlementAudience({ ...completed, status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS' })).toEqual(
      [alice],
    );
    expect(settlementAudience({ ...completed, counterpartyOwnerId: alice })).toEqual([alice]);
    expect(settlementAudience({ ...completed, kind: 'DEPOSIT', counterpartyOwnerId: null })).toEqual([alice]);
  });
});
