import { refusalOf } from '@walletgraph/platform/test/support/errors';
import { describe, expect, it } from 'vitest';
import { parseJarMove, parseMoveBetweenJars } from '../inputs.ts';
import { authorizeJarMove, type JarMoveState, type JarState } from './jars.ts';
import type { WalletState } from './operations.ts';
import type { JarRequest } from './requests.ts';

const alice = '0196f0a0-0000-7000-8000-00000000a11c';
const bob = '0196f0a0-0000-7000-8000-000000000b0b';
const wallet: WalletState = {
  walletId: '0196f0a0-0000-7000-8000-000000000001',
  ownerId: alice,
  currency: 'EUR',
  status: 'ACTIVE',
  isDefault: true,
};
const jar: JarState = {
  jarId: '0196f0a0-0000-7000-8000-00000000001a',
  walletId: wallet.walletId,
  ownerId: alice,
  currency: 'EUR',
  status: 'ACTIVE',
};
const otherJar: JarState = { ...jar, jarId: '0196f0a0-0000-7000-8000-00000000001b' };
const money = { amount: '5.00', currency: 'EUR' };
const spend = (amount = money) =>
  parseJarMove('JAR_SPEND', { jarId: jar.jarId, amount, idempotencyKey: 'k' });
const move = (): JarRequest =>
  parseMoveBetweenJars({ fromJarId: jar.jarId, toJarId: otherJar.jarId, amount: money, idempotencyKey: 'k' });
const found = (overrides: Partial<JarMoveState> = {}): JarMoveState => ({
  jar,
  toJar: null,
  wallet,
  ...overrides,
});

describe('jar move authorisation', () => {
  it.each(['JAR_ALLOCATION', 'JAR_RELEASE', 'JAR_SPEND'] as const)(
    'accepts a %s on the caller’s own active jar: the operation is on the jar’s wallet',
    (kind) => {
      const request = parseJarMove(kind, { jarId: jar.jarId, amount: money, idempotencyKey: 'k' });
      expect(authorizeJarMove(request, found(), alice)).toEqual({
        source: { walletId: wallet.walletId, ownerId: alice },
        recipient: null,
        jarId: jar.jarId,
        counterpartyJarId: null,
      });
    },
  );

  it('accepts a move between two of the caller’s jars in one wallet, recording the target', () => {
    expect(authorizeJarMove(move(), found({ toJar: otherJar }), alice)).toEqual({
      source: { walletId: wallet.walletId, ownerId: alice },
      recipient: null,
      jarId: jar.jarId,
      counterpartyJarId: otherJar.jarId,
    });
  });

  it('answers NOT_FOUND alike for an unknown jar and for another user’s, archived or not', () => {
    const unknown = refusalOf(() => authorizeJarMove(spend(), found({ jar: null }), alice));
    expect(unknown).toEqual({ code: 'NOT_FOUND', field: 'input.jarId' });
    expect(refusalOf(() => authorizeJarMove(spend(), found(), bob))).toEqual(unknown);
    const archived = { ...jar, status: 'ARCHIVED' as const };
    expect(refusalOf(() => authorizeJarMove(spend(), found({ jar: archived }), bob))).toEqual(unknown);
    const walletArchived = { ...wallet, status: 'ARCHIVED' as const };
    expect(refusalOf(() => authorizeJarMove(spend(), found({ wallet: walletArchived }), bob))).toEqual(
      unknown,
    );
  });

  it('names the field of a move’s jar that is not found: input.fromJarId or input.toJarId', () => {
    expect(refusalOf(() => authorizeJarMove(move(), found({ jar: null, toJar: otherJar }), alice))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.fromJarId',
    });
    expect(refusalOf(() => authorizeJarMove(move(), found({ toJar: null }), alice))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.toJarId',
    });
    const bobs = { ...otherJar, ownerId: bob, walletId: '0196f0a0-0000-7000-8000-000000000002' };
    expect(refusalOf(() => authorizeJarMove(move(), found({ toJar: bobs }), alice))).toEqual({
      code: 'NOT_FOUND',
      field: 'input.toJarId',
    });
  });

  it('refuses a move to a jar of another of the caller’s wallets: BAD_USER_INPUT on input.toJarId', () => {
    const elsewhere = { ...otherJar, walletId: '0196f0a0-0000-7000-8000-000000000003' };
    expect(refusalOf(() => authorizeJarMove(move(), found({ toJar: elsewhere }), alice))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'input.toJarId',
    });
  });

  it('refuses the owner’s archived jar with JAR_ARCHIVED, naming it', () => {
    const archived = (j: JarState) => ({ ...j, status: 'ARCHIVED' as const });
    expect(refusalOf(() => authorizeJarMove(spend(), found({ jar: archived(jar) }), alice))).toEqual({
      code: 'JAR_ARCHIVED',
      field: 'input.jarId',
    });
    expect(
      refusalOf(() => authorizeJarMove(move(), found({ jar: archived(jar), toJar: otherJar }), alice)),
    ).toEqual({ code: 'JAR_ARCHIVED', field: 'input.fromJarId' });
    expect(refusalOf(() => authorizeJarMove(move(), found({ toJar: archived(otherJar) }), alice))).toEqual({
      code: 'JAR_ARCHIVED',
      field: 'input.toJarId',
    });
  });

  it('refuses a jar whose wallet is archived with WALLET_ARCHIVED; a wallet not seen yet is left to the ledger', () => {
    const archived = { ...wallet, status: 'ARCHIVED' as const };
    expect(refusalOf(() => authorizeJarMove(spend(), found({ wallet: archived }), alice))).toEqual({
      code: 'WALLET_ARCHIVED',
      field: 'input.jarId',
    });
    expect(authorizeJarMove(spend(), found({ wallet: null }), alice).jarId).toBe(jar.jarId);
  });

  it('refuses another currency than the jar’s with CURRENCY_MISMATCH', () => {
    expect(
      refusalOf(() => authorizeJarMove(spend({ amount: '5', currency: 'USD' }), found(), alice)),
    ).toEqual({
      code: 'CURRENCY_MISMATCH',
      field: 'input.amount.currency',
    });
  });
});
