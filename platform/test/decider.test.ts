import { describe, expect, it } from 'vitest';
import { DomainError } from '../src/errors.ts';
import { deciderSpecification } from './support/decider.ts';

/** Withdraws from a balance: the new balance, or BAD_USER_INPUT on `amount` past it. */
const given = deciderSpecification((balance: number, amount: number) => {
  if (amount > balance) throw new DomainError('BAD_USER_INPUT', 'amount: too much', { field: 'amount' });
  return { balance: balance - amount };
});

describe('deciderSpecification', () => {
  it('passes when the decision is the expected one, and fails when it is not', () => {
    given(10).when(3).then({ balance: 7 });
    given(10)
      .when(3)
      .then(expect.objectContaining({ balance: 7 }));
    expect(() => given(10).when(3).then({ balance: 6 })).toThrow(/expected/);
  });

  it('passes when the decider refuses with the code and field, and fails otherwise', () => {
    given(10).when(11).thenThrows('BAD_USER_INPUT', 'amount');
    given(10).when(11).thenThrows('BAD_USER_INPUT');
    expect(() => given(10).when(11).thenThrows('NOT_FOUND')).toThrow(/expected/);
    expect(() => given(10).when(11).thenThrows('BAD_USER_INPUT', 'input.amount')).toThrow(/expected/);
    expect(() => given(10).when(3).thenThrows('BAD_USER_INPUT')).toThrow(/expected a DomainError/);
  });
});
