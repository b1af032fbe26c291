/**
 * Counters for the gateway's limits (requests per address and per user, failed sign-ins per
 * address), shared by every gateway replica when they live in Redis.
 *
 * The window is a sliding log: each counted event is kept with its time, and an event counts
 * while it is younger than the window. Chosen over a fixed window, which lets a client send
 * twice the limit across a window boundary (a real gap for sign-in guessing), and over the
 * sliding-window counter, whose estimate assumes the previous window's events were evenly
 * spread (so an attacker who knows the boundaries gets up to twice the limit too). The log is
 * exact and gives an exact Retry-After. Its cost is one entry per counted event, which stays
 * bounded because a refused event is not recorded: a key never holds more than `limit`
 * entries, however hard a client hammers.
 */
export interface CounterStore {
  /**
   * Counts one event under `key` if fewer than `limit` events fall within the last `windowMs`;
   * otherwise records nothing and says how long until one more would be allowed. Atomic: two
   * gateways hitting one key at once both see the other's event.
   */
  hit(key: string, window: WindowLimit): Promise<Hit>;
  /**
   * Forgets one allowed event (by its `id`), as if it had not been counted: for an attempt
   * that turned out not to count (a successful sign-in). Never touches other events of the key.
   */
  release(key: string, id: string): Promise<void>;
}

/** At most `limit` events within any `windowMs`. */
export interface WindowLimit {
  limit: number;
  windowMs: number;
}

export type Hit =
  /** Counted: `count` events (this one included) now fall within the window. */
  | { allowed: true; count: number; id: string }
  /** Refused and not counted: `count` events fall within the window; one more fits in `retryAfterMs`. */
  | { allowed: false; count: number; retryAfterMs: number };

/** A Retry-After header value: whole seconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
