import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { describe, expect, it } from 'vitest';
import type { LedgerAccount } from './accounts.ts';
import { decideClose, decideJarArchive } from './close.ts';

const wallet = '0196f0a0-0000-7000-8000-000000000001';
const account = (id: string, balance: bigint, closed = false): LedgerAccount => ({
  id,
  kind: id.startsWith('jar:') ? 'JAR' : 'WALLET_AVAILABLE',
  currency: 'EUR',
  walletId: wallet,
  ownerId: wallet,
  balance,
  closed,
  expiresAt: null,
});

describe('closing a wallet’s accounts', () => {
  it('closes every open account when all are at zero', () => {
    const d = decideClose([account(`wallet:${wallet}:available`, 0n), account('jar:a', 0n)]);
    expect(d).toEqual({ status: 'CLOSE', toClose: [`wallet:${wallet}:available`, 'jar:a'] });
  });

  it('refuses WALLET_NOT_EMPTY when the available account or any jar holds money', () => {
    expect(decideClose([account(`wallet:${wallet}:available`, 1n), account('jar:a', 0n)])).toMatchObject({
      status: 'REFUSED',
      reason: 'WALLET_NOT_EMPTY',
    });
    const d = decideClose([account(`wallet:${wallet}:available`, 0n), account('jar:a', 250n)]);
    expect(d).toMatchObject({ status: 'REFUSED', reason: 'WALLET_NOT_EMPTY', detail: 'jar:a holds 250' });
  });

  it('is idempotent: closing a closed wallet again closes nothing more', () => {
    const d = decideClose([account(`wallet:${wallet}:available`, 0n, true), account('jar:a', 0n, true)]);
    expect(d).toEqual({ status: 'CLOSE', toClose: [] });
  });
});

describe('archiving a jar', () => {
  const ids = { jar: 'jar:a', available: `wallet:${wallet}:available` };
  /** Given the accounts that exist (locked), when the jar's archive arrives. */
  const given = deciderSpecification((accounts: LedgerAccount[], archived: typeof ids) =>
    decideJarArchive(archived, new Map(accounts.map((a) => [a.id, a]))),
  );

  it('sweeps a jar holding money, then closes it', () => {
    given([account('jar:a', 250n), account(ids.available, 0n)])
      .when(ids)
      .then({ status: 'SWEEP_AND_CLOSE' });
  });

  it('closes a jar at zero without an entry', () => {
    given([account('jar:a', 0n), account(ids.available, 10n)])
      .when(ids)
      .then({ status: 'CLOSE' });
  });

  it('does nothing for a jar closed already (a repeated archive)', () => {
    given([account('jar:a', 0n, true), account(ids.available, 10n)])
      .when(ids)
      .then({ status: 'CLOSED' });
  });

  it('waits for a jar account not open yet', () => {
    given([account(ids.available, 0n)])
      .when(ids)
      .then({ status: 'NOT_OPEN_YET', detail: 'account jar:a is not open yet' });
  });

  it('waits for a wallet account not open yet', () => {
    given([account('jar:a', 0n)])
      .when(ids)
      .then({ status: 'NOT_OPEN_YET', detail: `account ${ids.available} is not open yet` });
  });

  it('refuses a jar that belongs to another wallet', () => {
    const foreign = { ...account('jar:a', 5n), walletId: 'another' };
    given([foreign, account(ids.available, 0n)])
      .when(ids)
      .then({ status: 'REFUSED', detail: `jar:a does not belong to ${ids.available}` });
  });
});
