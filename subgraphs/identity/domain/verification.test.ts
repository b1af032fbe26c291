import { describe, expect, it } from 'vitest';
import {
  codeMatches,
  decideVerification,
  newVerificationCode,
  type PendingVerification,
  verificationCodeHash,
} from './verification.ts';

const now = new Date('2026-12-04T10:00:00Z');
const pending = (over: Partial<PendingVerification> = {}): PendingVerification => ({
  email: 'ada@example.com',
  codeHash: verificationCodeHash('12345678'),
  attempts: 0,
  expiresAt: new Date(now.getTime() + 60_000),
  ...over,
});

describe('verification codes', () => {
  it('are 8 digits, and differ', () => {
    const codes = new Set(Array.from({ length: 50 }, newVerificationCode));
    for (const code of codes) expect(code).toMatch(/^\d{8}$/);
    expect(codes.size).toBeGreaterThan(45);
  });

  it('match as typed, with spaces or a dash, and nothing else', () => {
    const hash = verificationCodeHash('12345678');
    expect(codeMatches('12345678', hash)).toBe(true);
    expect(codeMatches('1234 5678', hash)).toBe(true);
    expect(codeMatches('1234-5678', hash)).toBe(true);
    expect(codeMatches('12345679', hash)).toBe(false);
    expect(codeMatches('1234567', hash)).toBe(false);
    expect(codeMatches(hash, hash)).toBe(false);
  });
});

describe('decideVerification', () => {
  it('proves the pending address with the right code', () => {
    expect(decideVerification(pending(), '12345678', now)).toEqual({
      kind: 'verified',
      email: 'ada@example.com',
    });
  });

  it('counts a wrong code, and burns the code at the fifth', () => {
    expect(decideVerification(pending(), '00000000', now)).toEqual({ kind: 'wrong', burn: false });
    expect(decideVerification(pending({ attempts: 4 }), '00000000', now)).toEqual({
      kind: 'wrong',
      burn: true,
    });
  });

  it('knows no code once expired, burnt, or never issued — even the right one', () => {
    expect(decideVerification(pending({ expiresAt: now }), '12345678', now)).toEqual({ kind: 'none' });
    expect(decideVerification(pending({ attempts: 5 }), '12345678', now)).toEqual({ kind: 'none' });
    expect(decideVerification(undefined, '12345678', now)).toEqual({ kind: 'none' });
  });
});
