/** A sliding-window limit: at most `limit` failures within any `windowSeconds`. */
export interface ThrottlePolicy {
  limit: number;
  windowSeconds: number;
}

/**
 * Progressive delays: `freeFailures` failures within the window cost nothing; from then on each
 * further attempt waits `firstDelaySeconds` after the latest failure, doubling with every
 * failure, up to `maxDelaySeconds`. Failures older than the window are forgotten.
 */
export interface DelayPolicy {
  freeFailures: number;
  firstDelaySeconds: number;
  maxDelaySeconds: number;
  windowSeconds: number;
}

/**
 * The throttles of sign-in (OWASP Authentication Cheat Sheet: throttle, don't lock out):
 * - `pair`: one account from one client address: 5 free failures, then 1, 2, 4, 8 minutes
 *   (capped at 15) between guesses, about 9 guesses per address per 15 minutes. Someone
 *   guessing from elsewhere never slows the owner down.
 * - `account`: the last resort against guessing spread over many addresses, far above what one
 *   person mistyping ever reaches (LOGIN_FAILURES_PER_ACCOUNT sets it); a correct password from an address the account has signed in
 *   from before is never refused by it (nor by `pair`).
 * - `passwordChange`: a signed-in user's `changePassword`, counted apart from sign-in, so a
 *   stolen access token is no password oracle and sign-in guesses cannot block a password change.
 */
export const signInThrottles = {
  pair: { freeFailures: 5, firstDelaySeconds: 60, maxDelaySeconds: 15 * 60, windowSeconds: 15 * 60 },
  account: { limit: 100, windowSeconds: 15 * 60 },
  passwordChange: { limit: 5, windowSeconds: 15 * 60 },
} satisfies { pair: DelayPolicy; account: ThrottlePolicy; passwordChange: ThrottlePolicy };

export type SignInThrottles = typeof signInThrottles;

/** How long an address stays known to an account after its last sign-in from there. */
export const KNOWN_ADDRESS_DAYS = 90;

export type ThrottleDecision = { kind: 'allow' } | { kind: 'block'; retryAfterSeconds: number };

/** When failures happen before this, they no longer count. */
export function windowStart(policy: { windowSeconds: number }, now: Date): Date {
  return new Date(now.getTime() - policy.windowSeconds * 1000);
}

const allow: ThrottleDecision = { kind: 'allow' };

function blockUntil(freedAtMs: number, now: Date): ThrottleDecision {
  return { kind: 'block', retryAfterSeconds: Math.max(1, Math.ceil((freedAtMs - now.getTime()) / 1000)) };
}

/** The failure times within the window, oldest first. */
function recentFailures(failures: readonly Date[], windowSeconds: number, now: Date): number[] {
  const since = now.getTime() - windowSeconds * 1000;
  return failures
    .map((f) => f.getTime())
    .filter((t) => t > since && t <= now.getTime())
    .sort((a, b) => a - b);
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
  const recent = recentFailures(failures, policy.windowSeconds, now);
  if (recent.length < policy.limit) return allow;
  // The attempt is allowed again once the oldest (count - limit + 1) failures have left the window.
  return blockUntil(recent[recent.length - policy.limit]! + policy.windowSeconds * 1000, now);
}

/**
 * Whether another attempt may go ahead under progressive delays. Blocked until the delay the
 * failures so far have earned has passed since the latest one (or, the same or sooner, until
 * enough of them age out of the window).
 */
export function decideDelay(failures: readonly Date[], policy: DelayPolicy, now: Date): ThrottleDecision {
  const recent = recentFailures(failures, policy.windowSeconds, now);
  const over = recent.length - policy.freeFailures;
  if (over < 0) return allow;
  const delaySeconds = Math.min(policy.firstDelaySeconds * 2 ** over, policy.maxDelaySeconds);
  const byDelay = recent[recent.length - 1]! + delaySeconds * 1000;
  // Ageing out: once the oldest (over + 1) failures leave the window, the free ones are back.
  const byWindow = recent[over]! + policy.windowSeconds * 1000;
  const freedAt = Math.min(byDelay, byWindow);
  return freedAt <= now.getTime() ? allow : blockUntil(freedAt, now);
}
