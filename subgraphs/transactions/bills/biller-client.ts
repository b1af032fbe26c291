import { type Clock, systemClock } from '@walletgraph/platform/clock';
import { DomainError } from '@walletgraph/platform/errors';
import { sharedResult } from '@walletgraph/platform/shared-result';
import {
  ConsecutiveBreaker,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  type IPolicy,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import { z } from 'zod';
import {
  type BillerPolicy,
  BillerServerError,
  defaultBillerPolicy,
  isBillerUnavailable,
  isTransientBillerFailure,
  retryAfterSecondsFor,
} from './biller-policy.ts';
import { type Answer, type PaymentCall, type PaymentOrder, verdictOf } from './payment-answers.ts';

export const billerCategories = ['ELECTRICITY', 'AIRTIME', 'WATER', 'INTERNET', 'TV'] as const;
export type BillerCategory = (typeof billerCategories)[number];

const catalogAnswer = z.array(
  z.object({
    id: z.string().min(1),
    name: z.string().min(1),
    category: z.enum(billerCategories),
    currency: z.string().length(3),
    reference: z.object({
      label: z.string().min(1),
      // Compiled once here: a pattern that does not compile is a broken catalog, not a refusal.
      pattern: z.string().transform((source, ctx) => {
        try {
          return { source, regex: new RegExp(source) };
        } catch {
          ctx.addIssue({ code: 'custom', message: 'not a regular expression' });
          return z.NEVER;
        }
      }),
    }),
  }),
);
/** One catalog entry as the biller describes it, its reference pattern compiled. */
export type BillerEntry = z.infer<typeof catalogAnswer>[number];

const validAnswer = z.object({ customerName: z.string().min(1) });

/** The biller's verdict on a reference; an unreachable biller is thrown (BILLER_UNAVAILABLE). */
export type ReferenceVerdict =
  | { kind: 'VALID'; customerName: string }
  | { kind: 'INVALID_REFERENCE' }
  | { kind: 'UNKNOWN_BILLER' };

/** The biller's API as transactions uses it (docs/biller.md). */
export interface BillerClient {
  /** The catalog, served from memory for `catalogTtlMs` after each fetch. */
  catalog(): Promise<readonly BillerEntry[]>;
  /** Asks the biller whether it knows `reference`; idempotent, so retried on transient failures. */
  validate(billerId: string, reference: string): Promise<ReferenceVerdict>;
  /** Pays; idempotent by `paymentId`, so retried on transient failures like the other calls. */
  pay(order: PaymentOrder): Promise<PaymentCall>;
  /** "Did payment X happen?": the question that settles a call that got no answer. */
  paymentStatus(paymentId: string): Promise<PaymentCall>;
}

export interface BillerClientOptions {
  /** The biller's base URL (`billerUrl(config)`). */
  baseUrl: string;
  /** Overrides of `defaultBillerPolicy` (biller-policy.ts). */
  policy?: Partial<BillerPolicy>;
  /** Ages the cached catalog; default the system clock. */
  clock?: Clock;
}

/**
 * An HTTP client for the biller behind one resilience policy: each attempt has a timeout;
 * transient failures (5xx, timeouts, refused connections) are retried with exponential backoff;
 * and every attempt counts towards one circuit breaker, so while the biller is down calls fail
 * fast instead of each waiting out its timeouts. Any unreachable outcome becomes
 * BILLER_UNAVAILABLE with `retryAfterSeconds`.
 */
export function createBillerClient(options: BillerClientOptions): BillerClient {
  const policy = { ...defaultBillerPolicy, ...options.policy };
  const clock = options.clock ?? systemClock;
  const transient = handleWhen(isTransientBillerFailure);
  // Outermost retry, then breaker, then timeout: each timed-out attempt is one breaker failure,
  // and an open breaker's BrokenCircuitError is not transient, so it is not retried.
  const resilience: IPolicy = wrap(
    retry(transient, {
      maxAttempts: policy.retries,
      backoff: new ExponentialBackoff({ initialDelay: policy.retryDelayMs, maxDelay: policy.timeoutMs }),
    }),
    circuitBreaker(transient, {
      halfOpenAfter: policy.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(policy.breakerThreshold),
    }),
    timeout(policy.timeoutMs, TimeoutStrategy.Aggressive),
  );

  /** One request behind the policy; `onSend` learns of each attempt that goes out. */
  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    onSend: () => void = () => {},
  ): Promise<Answer> {
    try {
      return await resilience.execute(async ({ signal }) => {
        onSend();
        const response = await fetch(new URL(path, options.baseUrl), {
          method,
          signal,
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
        if (response.status >= 500) {
          await response.body?.cancel();
          throw new BillerServerError(response.status);
        }
        return { status: response.status, body: await response.json() };
      });
    } catch (error) {
      if (!isBillerUnavailable(error)) throw error;
      throw new DomainError('BILLER_UNAVAILABLE', 'the biller cannot be reached; try again later', {
        retryAfterSeconds: retryAfterSecondsFor(error, policy),
      });
    }
  }

  // One fetch serves every caller for `catalogTtlMs`, and the callers of a cold cache share one
  // fetch rather than each calling the biller.
  const catalog = sharedResult(
    async (): Promise<readonly BillerEntry[]> => {
      const answer = await call('GET', '/billers');
      if (answer.status !== 200) throw new Error(`biller catalog answered ${answer.status}`);
      return catalogAnswer.parse(answer.body);
    },
    { reuseMs: policy.catalogTtlMs, now: () => clock.now().getTime() },
  );

  return {
    catalog,
    async validate(billerId, reference) {
      const answer = await call('POST', `/billers/${encodeURIComponent(billerId)}/validations`, {
        reference,
      });
      if (answer.status === 200) return { kind: 'VALID', ...validAnswer.parse(answer.body) };
      if (answer.status === 422) return { kind: 'INVALID_REFERENCE' };
      if (answer.status === 404) return { kind: 'UNKNOWN_BILLER' };
      throw new Error(`biller validation answered ${answer.status}`);
    },
    async pay(order) {
      let sent = false;
      const body = {
        paymentId: order.paymentId,
        billerId: order.billerId,
        reference: order.reference,
        amount: { minorUnits: order.amountMinor.toString(), currency: order.currency },
      };
      return verdictOf(
        () =>
          call('POST', '/payments', body, () => {
            sent = true;
          }),
        () => sent,
      );
    },
    async paymentStatus(paymentId) {
      return verdictOf(
        () => call('GET', `/payments/${encodeURIComponent(paymentId)}`),
        () => true,
      );
    },
  };
}
