import { deciderSpecification } from '@walletgraph/platform/test/support/decider';
import { describe, it } from 'vitest';
import { type DelayPolicy, decideDelay, decideThrottle, type ThrottlePolicy } from './throttle.ts';

const policy: ThrottlePolicy = { limit: 3, windowSeconds: 600 };
const now = new Date('2026-03-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

describe('decideThrottle', () => {
  /** Given the recent failures for one key, when another attempt comes at a time. */
  const given = deciderSpecification((failures: readonly Date[], at: Date) =>
    decideThrottle(failures, policy, at),
  );

  it('allows an account with no failures', () => {
    given([]).when(now).then({ kind: 'allow' });
  });

  it('allows while failures in the window stay under the limit', () => {
    given([minutesAgo(1), minutesAgo(2)])
      .when(now)
      .then({ kind: 'allow' });
  });

  it('blocks at the limit until the oldest counted failure leaves the window', () => {
    given([minutesAgo(1), minutesAgo(4), minutesAgo(2)])
      .when(now)
      .then({ kind: 'block', retryAfterSeconds: 6 * 60 });
  });

  it('ignores failures older than the window (sliding, not fixed, window)', () => {
    given([minutesAgo(1), minutesAgo(2), minutesAgo(11)])
      .when(now)
      .then({ kind: 'allow' });
  });

  it('waits for enough failures to age out when far over the limit', () => {
    given([minutesAgo(9), minutesAgo(8), minutesAgo(3), minutesAgo(2), minutesAgo(1)])
      .when(now)
      .then({ kind: 'block', retryAfterSeconds: 7 * 60 });
  });

  it('asks for at least one second', () => {
    given([new Date(now.getTime() - 600_000 + 1), minutesAgo(1), minutesAgo(0)])
      .when(now)
      .then({ kind: 'block', retryAfterSeconds: 1 });
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
  /** Given the recent failures for one key, when another attempt comes at a time. */
  const given = deciderSpecification((failures: readonly Date[], at: Date) =>
    decideDelay(failures, delays, at),
  );

  it.each([
    { name: 'no failure', failures: [] },
    { name: 'one failure', failures: [secondsAgo(1)] },
  ])('lets the free failures through at once: after $name', ({ failures }) => {
    given(failures).when(now).then({ kind: 'allow' });
  });

  it.each([
    {
      name: 'two failures, 1 s ago: 59 s more',
      failures: [secondsAgo(2), secondsAgo(1)],
      decision: { kind: 'block', retryAfterSeconds: 59 },
    },
    {
      name: 'two failures, 61 s ago: none',
      failures: [secondsAgo(61), secondsAgo(70)],
      decision: { kind: 'allow' },
    },
    {
      name: 'three failures, 10 s ago: 110 s more',
      failures: [secondsAgo(100), secondsAgo(90), secondsAgo(10)],
      decision: { kind: 'block', retryAfterSeconds: 110 },
    },
  ] as const)(
    'then asks for a delay after the latest failure that doubles with each failure: $name',
    ({ failures, decision }) => {
      given(failures).when(now).then(decision);
    },
  );

  it('caps the delay', () => {
    const many = Array.from({ length: 8 }, (_, i) => secondsAgo(8 - i));
    given(many).when(now).then({ kind: 'block', retryAfterSeconds: 299 });
  });

  it('frees the attempt as soon as enough failures age out of the window, if that comes first', () => {
    // Three failures earn 120 s after the latest; the two oldest have left the window in 40 s,
    // leaving one failure, under the free two.
    given([secondsAgo(870), secondsAgo(860), secondsAgo(10)])
      .when(now)
      .then({ kind: 'block', retryAfterSeconds: 40 });
  });
});
