import { describe, expect, it } from 'vitest';
import { periodContaining, previousPeriod } from './periods.ts';

const utc = (s: string) => new Date(s);

describe('budget periods (calendar periods in UTC)', () => {
  it('runs a month from the 1st at 00:00 UTC to the next 1st', () => {
    expect(periodContaining('MONTHLY', utc('2026-11-30T23:59:59.999Z'))).toEqual({
      start: utc('2026-11-01T00:00:00Z'),
      end: utc('2026-12-01T00:00:00Z'),
    });
  });

  it('rolls December over into the next year', () => {
    expect(periodContaining('MONTHLY', utc('2026-12-31T12:00:00Z')).end).toEqual(utc('2027-01-01T00:00:00Z'));
  });

  it('gives February 29 days in a leap year and 28 otherwise', () => {
    expect(periodContaining('MONTHLY', utc('2028-02-10T00:00:00Z')).end).toEqual(utc('2028-03-01T00:00:00Z'));
    expect(previousPeriod('MONTHLY', utc('2027-03-01T00:00:00Z'))).toEqual({
      start: utc('2027-02-01T00:00:00Z'),
      end: utc('2027-03-01T00:00:00Z'),
    });
  });

  it('starts a week on Monday 00:00 UTC, also when the moment is a Sunday', () => {
    // 2026-11-29 is a Sunday.
    expect(periodContaining('WEEKLY', utc('2026-11-29T23:00:00Z'))).toEqual({
      start: utc('2026-11-23T00:00:00Z'),
      end: utc('2026-11-30T00:00:00Z'),
    });
    expect(periodContaining('WEEKLY', utc('2026-11-30T00:00:00Z')).start).toEqual(
      utc('2026-11-30T00:00:00Z'),
    );
  });

  it('places a moment given with another zone offset by its UTC instant', () => {
    // 00:30 on Dec 1 in Berlin is still November in UTC.
    expect(periodContaining('MONTHLY', new Date('2026-12-01T00:30:00+01:00')).start).toEqual(
      utc('2026-11-01T00:00:00Z'),
    );
  });
});
