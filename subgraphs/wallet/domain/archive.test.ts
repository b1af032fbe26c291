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
  it.each([
    { status: 'ACTIVE', asks: true },
    { status: 'ARCHIVED', asks: false },
  ] as const)(
    'asks the ledger only for a wallet that is not archived yet: $status → $asks',
    ({ status, asks }) => {
      expect(needsArchiveRequest({ ...wallet, status })).toBe(asks);
    },
  );

  const archived = { ...wallet, status: 'ARCHIVED' as const };
  it.each([
    { name: 'once closed', answer: 'CLOSED', wallet: archived },
    { name: 'as it is while the answer is pending', answer: 'PENDING', wallet },
  ] as const)('returns the wallet $name', ({ answer, wallet }) => {
    expect(archiveResult(wallet, { status: answer, reason: null })).toBe(wallet);
  });

  it('turns the ledger’s refusal into WALLET_NOT_EMPTY', () => {
    expect(() => archiveResult(wallet, { status: 'REFUSED', reason: 'WALLET_NOT_EMPTY' })).toThrow(
      expect.objectContaining({ code: 'WALLET_NOT_EMPTY' }),
    );
  });
});
