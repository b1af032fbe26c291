/** A sliding-window limit: at most `limit` failures within any `windowSeconds`. */
export interface ThrottlePolicy {
  limit: number;
  windowSeconds: number;
}

/** 5 failed sign-ins per account in 15 minutes (OWASP authentication cheat sheet's order of magnitude). */
export const accountThrottle: ThrottlePolicy = { limit: 5, windowSeconds: 15 * 60 };

export type ThrottleDecision = { kind: 'allow' } | { kind: 'block'; retryAfterSeconds: number };

/** When failures happen before this, they no longer count. */
export function windowStart(policy: ThrottlePolicy, now: Date): Date {
  return new Date(now.getTime() - policy.windowSeconds * 1000);
}

/**
 * Whether another attempt may go ahead, given the times of recent failures for one key. Blocked
 * until enough of them age out of the window to bring the count under the limit. Callers may
 * pass only the newest `limit` failures: older ones cannot change the answer.
 */
export function decideThrottle(
  failures: readonly Date[],
  policy: ThrottlePolicy,
  now: Date,
): ThrottleDecision {
  const since = windowStart(policy, now).getTime();
  const recent = failures
    .map((f) => f.getTime())
    .filter((t) => t > since && t <= now.getTime())
    .sort((a, b) => a - b);
  if (recent.length < policy.limit) return { kind: 'allow' };
  // The attempt is allowed again once the oldest (count - limit + 1) failures have left the window.
  const freedAt = recent[recent.length - policy.limit]! + policy.windowSeconds * 1000;
  return { kind: 'block', retryAfterSeconds: Math.max(1, Math.ceil((freedAt - now.getTime()) / 1000)) };
}
