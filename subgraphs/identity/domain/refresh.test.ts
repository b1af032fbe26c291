import { describe, expect, it } from 'vitest';
import { decideRefresh, type RefreshTokenState } from './refresh.ts';

const now = new Date('2026-03-01T12:00:00Z');
const live: RefreshTokenState = {
  familyId: '0195f3a0-0000-7000-8000-000000000001',
  expiresAt: new Date('2026-03-31T12:00:00Z'),
  rotatedAt: null,
  revokedAt: null,
};

describe('decideRefresh', () => {
  it('rotates a live token', () => {
    expect(decideRefresh(live, now)).toEqual({ kind: 'rotate', token: live });
  });

  it('refuses a token it has never issued', () => {
    expect(decideRefresh(null, now)).toEqual({ kind: 'invalid', reason: 'UNKNOWN' });
  });

  it('refuses an expired token, exactly at its expiry too', () => {
    expect(decideRefresh({ ...live, expiresAt: now }, now)).toEqual({ kind: 'invalid', reason: 'EXPIRED' });
  });

  it('detects reuse of a rotated token and names the family to revoke', () => {
    expect(decideRefresh({ ...live, rotatedAt: new Date('2026-03-01T11:00:00Z') }, now)).toEqual({
      kind: 'reuse-detected',
      familyId: live.familyId,
    });
  });

  it('still treats a rotated token as reuse after it expired', () => {
    const rotated = {
      ...live,
      rotatedAt: new Date('2026-01-01T00:00:00Z'),
      expiresAt: new Date('2026-02-01T00:00:00Z'),
    };
    expect(decideRefresh(rotated, now).kind).toBe('reuse-detected');
  });

  it('refuses a token of a revoked family without revoking anything again', () => {
    const revoked = {
      ...live,
      rotatedAt: new Date('2026-03-01T10:00:00Z'),
      revokedAt: new Date('2026-03-01T11:00:00Z'),
    };
    expect(decideRefresh(revoked, now)).toEqual({ kind: 'invalid', reason: 'REVOKED' });
  });
});
