import { z } from 'zod';

/** The switches tests and operators flip to make the biller slow, flaky or down. */
export interface Behaviour {
  /** Added before every API answer. */
  latencyMs: number;
  /** Share (0..1) of payments answered 503 without charging. */
  failureRate: number;
  /** Every API call answers 503. */
  down: boolean;
  /** How long the hanging references (…9002, …9003) hang before answering. */
  hangMs: number;
}

export const behaviourChange = z
  .object({
    latencyMs: z.number().int().min(0).optional(),
    failureRate: z.number().min(0).max(1).optional(),
    down: z.boolean().optional(),
    hangMs: z.number().int().min(0).optional(),
    /** Restarts the random source, so a failure-rate run can be repeated exactly. */
    seed: z.number().int().optional(),
  })
  .strict();
export type BehaviourChange = z.infer<typeof behaviourChange>;

/**
 * mulberry32: a tiny seedable generator. Math.random cannot be seeded, and a test of the failure
 * rate must see the same failures on every run.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
