/** What the refresh decision needs to know about a presented refresh token's stored row. */
export interface RefreshTokenState {
  familyId: string;
  expiresAt: Date;
  rotatedAt: Date | null;
  revokedAt: Date | null;
}

export type InvalidRefreshReason = 'UNKNOWN' | 'REVOKED' | 'EXPIRED';

/**
 * What to do with a presented refresh token:
 * - `rotate`: it is live; replace it with a new token of the same family.
 * - `reuse-detected`: it was already rotated, so two parties hold the family (a stolen token,
 *   docs/architecture.md §9); revoke the whole family.
 * - `invalid`: unknown, revoked or expired; refuse it and change nothing.
 */
export type RefreshDecision<T extends RefreshTokenState = RefreshTokenState> =
  | { kind: 'rotate'; token: T }
  | { kind: 'reuse-detected'; familyId: string }
  | { kind: 'invalid'; reason: InvalidRefreshReason };

/**
 * Decides a refresh. A rotated token counts as reuse even once expired: presenting it still
 * proves a copy exists, and the family's newest token may well be live. A revoked family stays
 * revoked, so its tokens are simply invalid.
 */
export function decideRefresh<T extends RefreshTokenState>(
  token: T | null | undefined,
  now: Date,
): RefreshDecision<T> {
  if (!token) return { kind: 'invalid', reason: 'UNKNOWN' };
  if (token.revokedAt) return { kind: 'invalid', reason: 'REVOKED' };
  if (token.rotatedAt) return { kind: 'reuse-detected', familyId: token.familyId };
  if (token.expiresAt.getTime() <= now.getTime()) return { kind: 'invalid', reason: 'EXPIRED' };
  return { kind: 'rotate', token };
}
