import { describe, expect, it } from 'vitest';
import { type DelayPolicy, decideDelay, decideThrottle, type ThrottlePolicy } from './throttle.ts';

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

describe('decideDelay', () => {
  const delays: DelayPolicy = {
    freeFailures: 2,
    firstDelaySeconds: 60,
    maxDelaySeconds: 300,
    windowSeconds: 900,
  };
  const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

  it('lets the free failures through at once', () => {
    expect(decideDelay([], delays, now)).toEqual({ kind: 'allow' });
    expect(decideDelay([secondsAgo(1)], delays, now)).toEqual({ kind: 'allow' });
  });

  it('then asks for a delay after the latest failure that doubles with each failure', () => {
    expect(decideDelay([secondsAgo(2), secondsAgo(1)], delays, now)).toEqual({
      kind: 'block',
      retryAfterSeconds: 59,
    });
    expect(decideDelay([secondsAgo(61), secondsAgo(70)], delays, now)).toEqual({ kind: 'allow' });
    expect(decideDelay([secondsAgo(100), secondsAgo(90), secondsAgo(10)], delays, now)).toEqual({
      kind: 'block',
      retryAfterSeconds: 110,
    });
  });

  it('caps the delay', () => {
    const many = Array.from({ length: 8 }, (_, i) => secondsAgo(8 - i));
    expect(decideDelay(many, delays, now)).toEqual({ kind: 'block', retryAfterSeconds: 299 });
  });

  it('frees the attempt as soon as enough failures age out of the window, if that comes first', () => {
    // Three failures earn 120 s after the latest; the two oldest have left the window in 40 s,
    // leaving one failure, under the free two.
    const failures = [secondsAgo(870), secondsAgo(860), secondsAgo(10)];
    expect(decideDelay(failures, delays, now)).toEqual({ kind: 'block', retryAfterSeconds: 40 });
  });
});
