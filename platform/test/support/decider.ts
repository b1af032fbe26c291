import { expect } from 'vitest';
import { domainErrorOf } from './errors.ts';

/** A pure decider: what `command` comes to in `state`; a refusal may be thrown as a DomainError. */
export type Decide<State, Command, Decision> = (state: State, command: Command) => Decision;

/** The command sent to the decider, and what must come of it. */
export interface DeciderWhen<Decision> {
  /** Asserts the decision equals `expected` (deeply; asymmetric matchers such as `expect.objectContaining` work). */
  then(expected: Decision): void;
  /** Asserts the decider refuses with a DomainError of `code`, naming `field` when one is given. */
  thenThrows(code: string, field?: string): void;
}

/** The state the decider starts from. */
export interface DeciderGiven<Command, Decision> {
  when(command: Command): DeciderWhen<Decision>;
}

/**
 * Given/when/then for a pure decider, after emmett's DeciderSpecification. It starts from a
 * state, not from events: our deciders take the state their caller loaded. A decider with more
 * parameters (a clock, an id generator, a policy) is wrapped to take state and command only.
 *
 * ```ts
 * const given = deciderSpecification((pending, code: string) => decideVerification(pending, code, now));
 * given(pending()).when('12345678').then({ kind: 'verified', email: 'ada@example.com' });
 * given(undefined).when('12345678').then({ kind: 'none' });
 * ```
 */
export function deciderSpecification<State, Command, Decision>(
  decide: Decide<State, Command, Decision>,
): (state: State) => DeciderGiven<Command, Decision> {
  return (state) => ({
    when: (command) => ({
      // biome-ignore lint/suspicious/noThenProperty: given/when/then as in emmett's DeciderSpecification; awaiting it by mistake fails the comparison, so it cannot pass silently.
      then(expected) {
        expect(decide(state, command)).toEqual(expected);
      },
      thenThrows(code, field) {
        const error = domainErrorOf(() => decide(state, command));
        expect(error.code).toBe(code);
        if (field !== undefined) expect(error.details.field).toBe(field);
      },
    }),
  });
}
