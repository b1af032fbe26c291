import { describe, expect, it } from 'vitest';
import { correctionFor } from './reconcile.ts';

const op = { id: 'op1', status: 'COMPLETED', failureCode: null, ledgerEntryId: 'e1' };

describe('correcting a settled operation to the ledger’s decision', () => {
  it('leaves an operation that agrees with the ledger alone', () => {
    expect(correctionFor(op, { outcome: 'POSTED', entryId: 'e1' })).toBeNull();
    expect(
      correctionFor(
        { ...op, status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS', ledgerEntryId: null },
        {
          outcome: 'REJECTED',
          reason: 'INSUFFICIENT_FUNDS',
        },
      ),
    ).toBeNull();
  });

  it('turns a COMPLETED operation the ledger refused into FAILED with the ledger’s reason', () => {
    expect(correctionFor(op, { outcome: 'REJECTED', reason: 'INSUFFICIENT_FUNDS' })).toEqual({
      operationId: 'op1',
      was: { status: 'COMPLETED', failureCode: null, ledgerEntryId: 'e1' },
      now: { status: 'FAILED', failureCode: 'INSUFFICIENT_FUNDS', ledgerEntryId: null },
    });
  });

  it('points a COMPLETED operation at the entry the ledger actually posted', () => {
    expect(correctionFor(op, { outcome: 'POSTED', entryId: 'e2' })?.now).toEqual({
      status: 'COMPLETED',
      failureCode: null,
      ledgerEntryId: 'e2',
    });
  });

  it('leaves operations failed up front (no command) and pending ones to others', () => {
    expect(
      correctionFor({ ...op, status: 'FAILED', failureCode: 'RECIPIENT_NOT_FOUND' }, undefined),
    ).toBeNull();
    expect(correctionFor({ ...op, status: 'PENDING' }, { outcome: 'POSTED', entryId: 'e1' })).toBeNull();
  });
});
