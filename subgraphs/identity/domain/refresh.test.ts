import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { describe, it } from 'vitest';
import { decideRefresh, type RefreshTokenState } from './refresh.ts';

const now = new Date('2026-03-01T12:00:00Z');
const live: RefreshTokenState = {
  familyId: '0195f3a0-0000-7000-8000-000000000001',
  expiresAt: new Date('2026-03-31T12:00:00Z'),
  rotatedAt: null,
  revokedAt: null,
};
/** Given the presented token's stored row (or none), when it is presented at a time. */
const given = deciderSpecification(decideRefresh);

describe('decideRefresh', () => {
  it('rotates a live token', () => {
    given(live).when(now).then({ kind: 'rotate', token: live });
  });

  it('refuses a token it has never issued', () => {
    given(null).when(now).then({ kind: 'invalid', reason: 'UNKNOWN' });
  });

  it('refuses an expired token, exactly at its expiry too', () => {
    given({ ...live, expiresAt: now })
      .when(now)
      .then({ kind: 'invalid', reason: 'EXPIRED' });
  });

  it('detects reuse of a rotated token and names the family to revoke', () => {
    given({ ...live, rotatedAt: new Date('2026-03-01T11:00:00Z') })
      .when(now)
      .then({ kind: 'reuse-detected', familyId: live.familyId });
  });

  it('still treats a rotated token as reuse after it expired', () => {
    const rotated = {
      ...live,
      rotatedAt: new Date('2026-01-01T00:00:00Z'),
      expiresAt: new Date('2026-02-01T00:00:00Z'),
    };
    given(rotated).when(now).then({ kind: 'reuse-detected', familyId: live.familyId });
  });

  it('refuses a token of a revoked family without revoking anything again', () => {
    const revoked = {
      ...live,
      rotatedAt: new Date('2026-03-01T10:00:00Z'),
      revokedAt: new Date('2026-03-01T11:00:00Z'),
    };
    given(revoked).when(now).then({ kind: 'invalid', reason: 'REVOKED' });
  });
});
