import { describe, expect, it } from 'vitest';
import {
  parseDeposit,
  parseJarMove,
  parseMoveBetweenJars,
  parseTransfer,
  parseWithdrawal,
} from '../inputs.ts';
import { betweenJars, deposit, jar, jarMove, other, otherJar, transfer, wallet } from '../test/fixtures.ts';
import { canonicalJson, requestHash } from './requests.ts';

describe('request hash', () => {
  it('is the same for the same request however its amount and ids are written', () => {
    const a = requestHash(parseDeposit(deposit({ amount: { amount: '10', currency: 'EUR' } })));
    const b = requestHash(
      parseDeposit(deposit({ walletId: wallet.toUpperCase(), amount: { amount: '10.00', currency: 'EUR' } })),
    );
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
  });

  it('leaves out the idempotency key itself', () => {
    expect(requestHash(parseDeposit(deposit({ idempotencyKey: 'a' })))).toBe(
      requestHash(parseDeposit(deposit({ idempotencyKey: 'b' }))),
    );
  });

  it('differs when anything the operation would do differs: kind, wallet, amount, currency, note, recipient', () => {
    const base = requestHash(parseDeposit(deposit()));
    const variants = [
      requestHash(parseWithdrawal(deposit())),
      requestHash(parseDeposit(deposit({ walletId: other }))),
      requestHash(parseDeposit(deposit({ amount: { amount: '12.51', currency: 'EUR' } }))),
      requestHash(parseDeposit(deposit({ amount: { amount: '12.50', currency: 'USD' } }))),
      requestHash(parseDeposit(deposit({ note: 'rent' }))),
    ];
    expect(new Set([base, ...variants]).size).toBe(6);
    const byId = requestHash(parseTransfer(transfer()));
    const byEmail = requestHash(parseTransfer(transfer({ toWalletId: null, toEmail: 'ada@example.com' })));
    const byOtherEmail = requestHash(
      parseTransfer(transfer({ toWalletId: null, toEmail: 'bob@example.com' })),
    );
    expect(new Set([byId, byEmail, byOtherEmail]).size).toBe(3);
  });

  it('differs for another jar, another target jar, or another kind of jar move', () => {
    const hashes = [
      requestHash(parseJarMove('JAR_ALLOCATION', jarMove())),
      requestHash(parseJarMove('JAR_ALLOCATION', jarMove({ jarId: otherJar }))),
      requestHash(parseJarMove('JAR_RELEASE', jarMove())),
      requestHash(parseJarMove('JAR_SPEND', jarMove())),
      requestHash(parseMoveBetweenJars(betweenJars())),
      requestHash(parseMoveBetweenJars(betweenJars({ toJarId: wallet }))),
      requestHash(parseMoveBetweenJars(betweenJars({ fromJarId: otherJar, toJarId: jar }))),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(requestHash(parseJarMove('JAR_SPEND', jarMove({ jarId: jar.toUpperCase() })))).toBe(hashes[3]);
  });

  it('serialises objects with sorted keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[2,{"e":null,"f":1}]},"b":1}',
    );
  });
});
