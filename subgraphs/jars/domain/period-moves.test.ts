import { describe, expect, it } from 'vitest';
import { dueMove } from './period-moves.ts';

const jar = {
  id: 'j1',
  kind: 'EXPENSE' as const,
  status: 'ACTIVE' as const,
  budgetPeriod: 'MONTHLY' as const,
  rollsOver: false,
  createdAt: new Date('2026-10-15T00:00:00Z'),
};

describe('period moves', () => {
  it('resets an Income jar at the month end, with a key naming the jar and the period', () => {
    expect(dueMove({ ...jar, kind: 'INCOME', budgetPeriod: null }, new Date('2026-11-01T00:01:00Z'))).toEqual(
      {
        jarId: 'j1',
        action: 'INCOME_RESET',
        periodEnd: new Date('2026-11-01T00:00:00Z'),
        idempotencyKey: 'jar-period:j1:2026-11-01T00:00:00.000Z:income_reset',
      },
    );
  });

  it.each([
    { name: 'none in its last second', at: '2026-11-03T23:59:59Z', due: null },
    {
      name: 'due at its end',
      at: '2026-11-04T00:00:00Z',
      due: expect.objectContaining({
        action: 'LEFTOVER_RETURN',
        periodEnd: new Date('2026-11-01T00:00:00Z'),
      }),
    },
  ])(
    'returns an expense jar’s leftover only once the 3-day grace period has passed: $name',
    ({ at, due }) => {
      expect(dueMove(jar, new Date(at))).toEqual(due);
    },
  );

  it('has nothing due for a period that ended before the jar existed', () => {
    expect(dueMove(jar, new Date('2026-11-03T00:00:00Z'))).toBeNull();
  });

  it.each([
    { name: 'rolls over', quiet: { ...jar, rollsOver: true } },
    { name: 'saves', quiet: { ...jar, kind: 'SAVINGS' as const } },
    { name: 'is archived', quiet: { ...jar, status: 'ARCHIVED' as const } },
  ])('has nothing due for a jar that $name', ({ quiet }) => {
    expect(dueMove(quiet, new Date('2027-01-10T00:00:00Z'))).toBeNull();
  });
});
