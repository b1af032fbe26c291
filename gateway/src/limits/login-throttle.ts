import { type ApolloServerPlugin, type GraphQLResponse, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';
import { addressSubject } from './client-address.ts';
import { loginResponseKeys } from './login-attempts.ts';
import { type CounterStore, retryAfterSeconds } from './store.ts';

export interface LoginThrottleOptions {
  store: CounterStore;
  /** Failed sign-ins one address may make per window (LOGIN_FAILURES_PER_ADDRESS). Default 50. */
  limit?: number;
  /** LOGIN_FAILURE_WINDOW_MS. Default 15 minutes. */
  windowMs?: number;
}

/** Identity's answers to `login` that count as a failed attempt. */
const failureCodes: ReadonlySet<unknown> = new Set(['INVALID_CREDENTIALS', 'TOO_MANY_ATTEMPTS']);

/** The counter key of one address's sign-in attempts (IPv6: its /64). */
export function loginThrottleKey(address: string): string {
  return `login:${addressSubject(address)}`;
}

/**
 * Sign-in throttling per client address (ARCHITECTURE.md §9), the part only the gateway can do:
 * subgraphs see the gateway's address, and identity throttles per account.
 *
 * Each `login` in an operation holds a slot in the address's window before it runs; with the
 * window full, the operation is refused with TOO_MANY_ATTEMPTS (HTTP 429, Retry-After) before
 * identity is called, whatever the email, so the refusal says nothing about accounts. After
 * execution, a slot stays taken only if that `login` failed (INVALID_CREDENTIALS or
 * TOO_MANY_ATTEMPTS); any other outcome, success included, gives back that attempt's own slot
 * and nothing more, so owning one account never resets an address's count. Taking the slot
 * first means concurrent attempts cannot overshoot the limit while the first ones are in flight.
 *
 * Fails closed: when the counters cannot be reached, sign-in is refused with 503
 * SERVICE_UNAVAILABLE. Letting it through would switch off the only per-address guard against
 * password guessing whenever Redis is down, and sign-in is the one operation an attacker has a
 * reason to make Redis-down windows for.
 */
export function createLoginThrottle(options: LoginThrottleOptions): ApolloServerPlugin<GatewayContext> {
  const { store } = options;
  const window = { limit: options.limit ?? 50, windowMs: options.windowMs ?? 15 * 60_000 };
  return {
    async requestDidStart() {
      /** The slots this request holds: response key → hit id. */
      let held: { key: string; attempts: Map<string, string> } | null = null;
      return {
        async didResolveOperation({ document, operation, contextValue }) {
          const responseKeys = operation ? loginResponseKeys(document, operation) : [];
          if (responseKeys.length === 0) return;
          const key = loginThrottleKey(contextValue.clientAddress);
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
            contextValue.logger.error({ err: unavailable }, 'sign-in throttle unavailable; refusing sign-in');
            throw new GraphQLError('sign-in is temporarily unavailable; try again shortly', {
              extensions: { code: 'SERVICE_UNAVAILABLE', http: { status: 503 } },
            });
          }
          throw tooManyAttempts(retryAfterSeconds(retryAfterMs ?? 0));
        },
        async willSendResponse({ response, contextValue }) {
          if (!held) return;
          const { key, attempts } = held;
          const failed = failedResponseKeys(response);
          const released = [...attempts].filter(([responseKey]) => !failed.has(responseKey));
          const outcomes = await Promise.allSettled(released.map(([, id]) => store.release(key, id)));
          if (outcomes.some((o) => o.status === 'rejected')) {
            contextValue.logger.warn(
              'could not release sign-in attempts; they count as failures until they age out',
            );
          }
        },
      };
    },
  };
}

/** The same answer identity gives for an account, so neither says whether an account exists. */
function tooManyAttempts(seconds: number): GraphQLError {
  return new GraphQLError('too many failed sign-in attempts; try again later', {
    extensions: {
      code: 'TOO_MANY_ATTEMPTS',
      retryAfterSeconds: seconds,
      http: { status: 429, headers: new HeaderMap([['retry-after', String(seconds)]]) },
    },
  });
}

/**
 * The response keys whose `login` failed. A streamed (incremental) response is not inspected:
 * every attempt in it counts, the safe side.
 */
function failedResponseKeys(response: GraphQLResponse): { has(key: string): boolean } {
  if (response.body.kind !== 'single') return { has: () => true };
  const failed = new Set<unknown>();
  for (const error of response.body.singleResult.errors ?? []) {
    if (failureCodes.has(error.extensions?.code)) failed.add(error.path?.[0]);
  }
  return failed;
}
