import { describe, expect, it } from 'vitest';
import { decideThrottle, type ThrottlePolicy } from './throttle.ts';

const policy: ThrottlePolicy = { limit: 3, windowSeconds: 600 };
const now = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('decideThrottle', () => {
  it('allows an account with no failures', () => {
    expect(decideThrottle([], policy, now)).toEqual({ kind: 'allow' });
  });

  it('allows while failures in the window stay under the limit', () => {
    expect(decideThrottle([minutesAgo(1), minutesAgo(2)], policy, now)).toEqual({ kind: 'allow' });
  });

  it('blocks at the limit until the oldest counted failure leaves the window', () => {
    expect(decideThrottle([minutesAgo(1), minutesAgo(4), minutesAgo(2)], policy, now)).toEqual({
      kind: 'block',
      retryAfterSeconds: 6 * 60,
    });
  });

  it('ignores failures older than the window (sliding, not fixed, window)', () => {
    expect(decideThrottle([minutesAgo(1), minutesAgo(2), minutesAgo(11)], policy, now)).toEqual({
      kind: 'allow',
    });
  });

  it('waits for enough failures to age out when far over the limit', () => {
    const failures = [minutesAgo(9), minutesAgo(8), minutesAgo(3), minutesAgo(2), minutesAgo(1)];
    expect(decideThrottle(failures, policy, now)).toEqual({ kind: 'block', retryAfterSeconds: 7 * 60 });
  });

  it('asks for at least one second', () => {
    const failures = [new Date(now.getTime() - 600_000 + 1), minutesAgo(1), minutesAgo(0)];
    expect(decideThrottle(failures, policy, now)).toEqual({ kind: 'block', retryAfterSeconds: 1 });
  });
});
