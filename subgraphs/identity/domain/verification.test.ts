import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
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

  const hash = verificationCodeHash('12345678');

  it.each(['12345678', '1234 5678', '1234-5678'])('match as typed, with spaces or a dash: %j', (typed) => {
    expect(codeMatches(typed, hash)).toBe(true);
  });

  it.each([
    { name: 'another code', typed: '12345679' },
    { name: 'one digit short', typed: '1234567' },
    { name: 'the hash itself', typed: hash },
  ])('match nothing else: not $name', ({ typed }) => {
    expect(codeMatches(typed, hash)).toBe(false);
  });
});

describe('decideVerification', () => {
  /** Given the user's pending verification (if any), when they enter a code. */
  const given = deciderSpecification((state: PendingVerification | undefined, code: string) =>
    decideVerification(state, code, now),
  );

  it('proves the pending address with the right code', () => {
    given(pending()).when('12345678').then({ kind: 'verified', email: 'ada@example.com' });
  });

  it('counts a wrong code', () => {
    given(pending()).when('00000000').then({ kind: 'wrong', burn: false });
  });

  it('burns the code at the fifth wrong one', () => {
    given(pending({ attempts: 4 }))
      .when('00000000')
      .then({ kind: 'wrong', burn: true });
  });

  it.each([
    ['expired', pending({ expiresAt: now })],
    ['burnt', pending({ attempts: 5 })],
    ['never issued', undefined],
  ])('knows no code once %s — even the right one', (_, state) => {
    given(state).when('12345678').then({ kind: 'none' });
  });
});
