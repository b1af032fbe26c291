import { describe, expect, it } from 'vitest';
import type { WalletRow } from '../db/schema.ts';
import { archiveResult, needsArchiveRequest } from './archive.ts';

const wallet: WalletRow = {
  id: '0196f0a0-0000-7000-8000-000000000001',
  ownerId: '0196f0a0-0000-7000-8000-000000000002',
  name: 'Main',
  currency: 'EUR',
  status: 'ACTIVE',
  isDefault: true,
  createdAt: new Date(0),
};

describe('archiving a wallet', () => {
  it('asks the ledger only for a wallet that is not archived yet', () => {
    expect(needsArchiveRequest(wallet)).toBe(true);
    expect(needsArchiveRequest({ status: 'ARCHIVED' })).toBe(false);
  });

  it('returns the wallet once closed, or as it is while the answer is pending', () => {
    const archived = { ...wallet, status: 'ARCHIVED' as const };
    expect(archiveResult(archived, { status: 'CLOSED', reason: null })).toBe(archived);
    expect(archiveResult(wallet, { status: 'PENDING', reason: null })).toBe(wallet);
  });

  it('turns the ledger’s refusal into WALLET_NOT_EMPTY', () => {
    expect(() => archiveResult(wallet, { status: 'REFUSED', reason: 'WALLET_NOT_EMPTY' })).toThrow(
      expect.objectContaining({ code: 'WALLET_NOT_EMPTY' }),
    );
  });
});
