import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { describe, expect, it } from 'vitest';
import {
  BillerServerError,
  isBillerUnavailable,
  isTransientBillerFailure,
  retryAfterSecondsFor,
} from './biller-policy.ts';

describe('the biller policy', () => {
  it('retries 5xx answers, timeouts and failed connections', () => {
    expect(isTransientBillerFailure(new BillerServerError(503))).toBe(true);
    expect(isTransientBillerFailure(new TaskCancelledError('timed out'))).toBe(true);
    expect(isTransientBillerFailure(new TypeError('fetch failed'))).toBe(true);
  });

  it('does not retry an open breaker, nor a bug', () => {
    expect(isTransientBillerFailure(new BrokenCircuitError())).toBe(false);
    expect(isTransientBillerFailure(new Error('unexpected'))).toBe(false);
  });

  it('calls an open breaker unavailable, but not a bug', () => {
    expect(isBillerUnavailable(new BrokenCircuitError())).toBe(true);
    expect(isBillerUnavailable(new RangeError('unexpected'))).toBe(false);
  });

  it('suggests waiting out the half-open delay while the breaker is open', () => {
    expect(retryAfterSecondsFor(new BrokenCircuitError(), { halfOpenAfterMs: 10_000 })).toBe(10);
    expect(retryAfterSecondsFor(new BrokenCircuitError(), { halfOpenAfterMs: 200 })).toBe(1);
    expect(retryAfterSecondsFor(new BillerServerError(503), { halfOpenAfterMs: 10_000 })).toBe(1);
  });
});
