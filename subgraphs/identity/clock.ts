/** Where the identity subgraph reads the time; tests pass a fixed or advancing one. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
