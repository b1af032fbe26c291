import { describe, expect, it } from 'vitest';
import { jarDrift } from './reconcile.ts';

describe('jar projections against the ledger', () => {
  it('lists only the jars whose projected balance differs, a missing side counting as zero', () => {
    const projected = new Map([
      ['a', 100n],
      ['b', 0n],
      ['c', 5n],
    ]);
    const ledger = new Map([
      ['a', 100n],
      ['c', 7n],
      ['d', 1n],
    ]);
    expect(jarDrift(projected, ledger)).toEqual([
      { jarId: 'c', projected: 5n, ledger: 7n },
      { jarId: 'd', projected: 0n, ledger: 1n },
    ]);
  });
});
