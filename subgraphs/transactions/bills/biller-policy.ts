import { isBrokenCircuitError, isTaskCancelledError } from 'cockatiel';

/**
 * How the transactions subgraph treats the biller: the timings of its timeout, retries and
 * circuit breaker. The defaults live here and nowhere else; tests shorten them through
 * `createTransactionsServices`' options rather than through configuration, since no deployment
 * has needed to change them yet.
 */
export interface BillerPolicy {
  /** Longest wait for one answer; default 2000 ms (a customer is waiting on a form). */
  timeoutMs: number;
  /** Attempts after the first for a transient failure; default 2. */
  retries: number;
  /** First backoff delay, doubled per retry; default 100 ms. */
  retryDelayMs: number;
  /** Consecutive failed attempts that open the breaker; default 5. */
  breakerThreshold: number;
  /** How long the open breaker fails fast before letting one trial call through; default 10 s. */
  halfOpenAfterMs: number;
  /**
   * How long a fetched catalog is served from memory; default 60 s. Billers are added or changed
   * rarely, and every validation needs the catalog (pattern, existence) before calling out.
   */
  catalogTtlMs: number;
  /**
   * How long a bill payment's hold may stay open before an unanswered payment is settled by the
   * biller's status alone (a payment it never saw is then released, not paid again); default 15 min.
   */
  holdTtlMs: number;
  /** The payment worker's wait after a payment call got no answer, doubled per call; default 1 s. */
  firstRetryMs: number;
  /** The longest wait between two calls for one payment; default 60 s. */
  maxRetryMs: number;
  /** How often the payment worker looks for due payments when no NOTIFY woke it; default 1 s. */
  workerPollMs: number;
}

export const defaultBillerPolicy: BillerPolicy = {
  timeoutMs: 2000,
  retries: 2,
  retryDelayMs: 100,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
  catalogTtlMs: 60_000,
  holdTtlMs: 15 * 60_000,
  firstRetryMs: 1000,
  maxRetryMs: 60_000,
  workerPollMs: 1000,
};

/**
 * How long a payment worker's claim on a payment lasts: longer than one call can take (every
 * attempt waiting out its timeout, plus the backoffs between them), and a second more, so a
 * payment is claimed again only once the worker that claimed it must have finished or died.
 */
export function paymentLeaseMs(policy: Pick<BillerPolicy, 'timeoutMs' | 'retries'>): number {
  // Each backoff is jittered but capped at the timeout (biller-client.ts); a status query and a
  // payment call can both be made in one claim.
  const oneCall = policy.timeoutMs * (policy.retries + 1) + policy.timeoutMs * policy.retries;
  return 2 * oneCall + 1000;
}

/** A 5xx answer: the biller failed, not the request, so the same request may succeed later. */
export class BillerServerError extends Error {
  override name = 'BillerServerError';
  readonly status: number;
  constructor(status: number) {
    super(`biller answered ${status}`);
    this.status = status;
  }
}

/**
 * Whether a failed attempt is worth another (and counts against the breaker): a 5xx, a timeout,
 * or a connection that failed (fetch's TypeError). 4xx answers are the biller's verdict and come
 * back as values, never thrown; an open breaker is not retried, so it fails fast.
 */
export function isTransientBillerFailure(error: unknown): boolean {
  if (isBrokenCircuitError(error)) return false;
  return error instanceof BillerServerError || isTaskCancelledError(error) || error instanceof TypeError;
}

/** Whether a failure means the biller could not be reached (BILLER_UNAVAILABLE to the client). */
export function isBillerUnavailable(error: unknown): boolean {
  return isBrokenCircuitError(error) || isTransientBillerFailure(error);
}

/**
 * The wait to suggest to a client: while the breaker is open nothing gets through before it
 * half-opens; after a failure that just happened, a short pause is enough to try again.
 */
export function retryAfterSecondsFor(error: unknown, policy: Pick<BillerPolicy, 'halfOpenAfterMs'>): number {
  if (isBrokenCircuitError(error)) return Math.max(1, Math.ceil(policy.halfOpenAfterMs / 1000));
  return 1;
}
