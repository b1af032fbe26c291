export interface SharedResultOptions {
  /** How long a finished run's result answers later callers, in ms. Default 0: only callers during a run share it. */
  reuseMs?: number;
  /** The clock, in ms (tests). Default `Date.now`. */
  now?: () => number;
}

/**
 * Wraps an async function so a burst of callers costs one run: a caller while a run is in flight
 * gets that run's result (single flight), and one within `reuseMs` after it finished gets it too.
 * A run that fails is not kept: the next caller starts another.
 */
export function sharedResult<T>(run: () => Promise<T>, options: SharedResultOptions = {}): () => Promise<T> {
  const reuseMs = options.reuseMs ?? 0;
  const now = options.now ?? Date.now;
  let inFlight: Promise<T> | null = null;
  let last: { value: T; at: number } | null = null;
  return () => {
    if (inFlight) return inFlight;
    if (last && now() - last.at < reuseMs) return Promise.resolve(last.value);
    const current = run().then(
      (value) => {
        last = { value, at: now() };
        inFlight = null;
        return value;
      },
      (error: unknown) => {
        inFlight = null;
        throw error;
      },
    );
    inFlight = current;
    return current;
  };
}
