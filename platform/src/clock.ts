/** Where a service reads the time; tests pass their own to move it instead of waiting. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };
