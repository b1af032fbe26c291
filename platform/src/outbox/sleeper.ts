/**
 * A pause a loop can be woken from: wake-ups that arrive while the loop is busy are
 * remembered and coalesced, so one notification or a burst of them costs exactly one extra
 * round, and no round ever runs concurrently with another.
 */
export interface Sleeper {
  /**
   * Waits `ms`, or less if woken. A pending wake-up makes it return at once. With
   * `wakeable: false` (a backoff) only `interrupt()` cuts it short.
   */
  sleep(ms: number, options?: { wakeable?: boolean }): Promise<void>;
  /** Ends the current wakeable sleep, or the next one if none is in progress. */
  wake(): void;
  /** Ends the current sleep and every later one at once: the loop is stopping. */
  interrupt(): void;
}

export function createSleeper(): Sleeper {
  let pending = false;
  let interrupted = false;
  let current: { end: () => void; wakeable: boolean } | null = null;
  return {
    sleep(ms, { wakeable = true } = {}) {
      if (interrupted) return Promise.resolve();
      if (wakeable && pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const end = () => {
          clearTimeout(timer);
          current = null;
          // Whatever woke us (or not), the round that follows sees every row committed so far.
          if (wakeable) pending = false;
          resolve();
        };
        const timer = setTimeout(end, ms);
        current = { end, wakeable };
      });
    },
    wake() {
      pending = true;
      if (current?.wakeable) current.end();
    },
    interrupt() {
      interrupted = true;
      current?.end();
    },
  };
}
