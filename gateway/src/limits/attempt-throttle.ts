import { type ApolloServerPlugin, type GraphQLResponse, HeaderMap } from '@apollo/server';
import { rootFieldResponseKeys } from '@walletgraph/platform/graphql/root-fields';
import type { Metrics } from '@walletgraph/platform/metrics';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { addressSubject } from './client-address.ts';
import { refusalCounter } from './refusals.ts';
import { type CounterStore, retryAfterSeconds } from './store.ts';

/** A mutation whose attempts are counted per client address, and which outcomes keep counting. */
export interface ThrottledAttempt {
  /** The root mutation field (`login`, `register`). */
  field: string;
  /** The `scope` its refusals are counted under (refusals.ts). */
  scope: 'sign_in' | 'registration';
  /** Whether an attempt that ended with this error code (undefined: it succeeded) stays counted. */
  counts(code: unknown): boolean;
  /** The refusal once the window is full. */
  refusal: { code: 'TOO_MANY_ATTEMPTS' | 'RATE_LIMITED'; message: string };
  /** What a client is told while the counters cannot be reached. */
  unavailable: string;
}

/** Failed sign-ins: identity's answers that say the password was not accepted. */
export const signInAttempts: ThrottledAttempt = {
  field: 'login',
  scope: 'sign_in',
  counts: (code) => code === 'INVALID_CREDENTIALS' || code === 'TOO_MANY_ATTEMPTS',
  // The same answer identity gives for an account, so neither says whether an account exists.
  refusal: { code: 'TOO_MANY_ATTEMPTS', message: 'too many failed sign-in attempts; try again later' },
  unavailable: 'sign-in is temporarily unavailable; try again shortly',
};

/**
 * Registrations: every attempt counts, an account created or not (an address creating accounts
 * in bulk is what this limits, and a refused one cost a password hash too), except one identity
 * turned away before any work (RATE_LIMITED: its hashing pool was full).
 */
export const registrationAttempts: ThrottledAttempt = {
  field: 'register',
  scope: 'registration',
  counts: (code) => code !== 'RATE_LIMITED',
  refusal: { code: 'RATE_LIMITED', message: 'too many registrations from this address; try again later' },
  unavailable: 'registration is temporarily unavailable; try again shortly',
};

export interface AttemptThrottleOptions {
  store: CounterStore;
  attempt: ThrottledAttempt;
  /** Counted attempts one address may make per window. */
  limit: number;
  windowMs: number;
  /** Where refusals are counted (refusals.ts). */
  metrics: Metrics;
}

/** The counter key of one address's attempts at a field (IPv6: its /64). */
export function attemptThrottleKey(field: string, address: string): string {
  return `${field}:${addressSubject(address)}`;
}

/**
 * Throttling of one costly mutation per client address, the part only the gateway can do:
 * subgraphs see the gateway's address. Sign-in failures (LOGIN_FAILURES_PER_ADDRESS) and
 * registrations (REGISTRATIONS_PER_ADDRESS) both use it.
 *
 * Each such field in an operation holds a slot in the address's window before it runs; with the
 * window full, the operation is refused (HTTP 429, Retry-After) before identity is called,
 * whatever the email, so the refusal says nothing about accounts. After execution, a slot stays
 * taken only if that attempt `counts`; any other outcome gives back that attempt's own slot and
 * nothing more, so owning one account never resets an address's count. Taking the slot first
 * means concurrent attempts cannot overshoot the limit while the first ones are in flight.
 *
 * Fails closed: when the counters cannot be reached, the field is refused with 503
 * SERVICE_UNAVAILABLE. Letting it through would switch off the only per-address guard against
 * password guessing (and bulk sign-ups) whenever Redis is down, and these are the operations an
 * attacker has a reason to make Redis-down windows for.
 */
export function createAttemptThrottle(options: AttemptThrottleOptions): ApolloServerPlugin<GatewayContext> {
  const { store, attempt } = options;
  const window = { limit: options.limit, windowMs: options.windowMs };
  const fields = new Set([attempt.field]);
  const refused = refusalCounter(options.metrics, attempt.scope);
  return {
    async requestDidStart() {
      /** The slots this request holds: response key → hit id. */
      let held: { key: string; attempts: Map<string, string> } | null = null;
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          const responseKeys =
            operation?.operation === 'mutation' ? rootFieldResponseKeys(document, operation, fields) : [];
          if (responseKeys.length === 0) return;
          const key = attemptThrottleKey(attempt.field, contextValue.clientAddress);
          const hits = await Promise.allSettled(responseKeys.map(() => store.hit(key, window)));
          const attempts = new Map<string, string>();
          let unavailable: unknown = null;
          let retryAfterMs: number | null = null;
          hits.forEach((hit, i) => {
            if (hit.status === 'rejected') unavailable ??= hit.reason;
            else if (!hit.value.allowed) retryAfterMs = Math.max(retryAfterMs ?? 0, hit.value.retryAfterMs);
            else attempts.set(responseKeys[i]!, hit.value.id);
          });
          if (unavailable === null && retryAfterMs === null) {
            held = { key, attempts };
            return;
          }
          // The operation does not run, so none of its attempts count.
          await Promise.allSettled([...attempts.values()].map((id) => store.release(key, id)));
          if (unavailable !== null) {
            contextValue.logger.error(
              { err: unavailable, field: attempt.field },
              'attempt throttle unavailable; refusing the attempt',
            );
            throw new GraphQLError(attempt.unavailable, {
              extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
            });
          }
          refused();
          const seconds = retryAfterSeconds(retryAfterMs ?? 0);
          throw new GraphQLError(attempt.refusal.message, {
            extensions: {
              code: attempt.refusal.code,
              retryAfterSeconds: seconds,
              http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
            },
          });
        },
        async willSendResponse({ response, contextValue }) {
          if (!held) return;
          const { key, attempts } = held;
          const codes = errorCodesByResponseKey(response);
          const released = [...attempts].filter(
            ([responseKey]) => codes !== 'unknown' && !attempt.counts(codes.get(responseKey)),
          );
          const outcomes = await Promise.allSettled(released.map(([, id]) => store.release(key, id)));
          if (outcomes.some((o) => o.status === 'rejected')) {
            contextValue.logger.warn(
              { field: attempt.field },
              'could not release attempts; they count until they age out',
            );
          }
        },
      };
    },
  };
}

/**
 * The error code each root response key ended with (absent: no error). A streamed (incremental)
 * response is not inspected: every attempt in it counts, the safe side.
 */
function errorCodesByResponseKey(response: GraphQLResponse): Map<unknown, unknown> | 'unknown' {
  if (response.body.kind !== 'single') return 'unknown';
  const codes = new Map<unknown, unknown>();
  for (const error of response.body.singleResult.errors ?? []) {
    codes.set(error.path?.[0], error.extensions?.code);
  }
  return codes;
}
