import { describe, expect, it } from 'vitest';
import { notOpenedYet } from './wallet.ts';

describe('an entity whose ledger account is not open yet', () => {
  it('reads as empty for the owner the gateway names, in the entity’s currency', () => {
    expect(notOpenedYet({ id: 'w', currency: 'EUR', ownerId: 'u1' }, 'u1')).toBe('EUR');
  });

  it('is nothing for anyone else, for an anonymous caller, or without the required fields', () => {
    expect(notOpenedYet({ currency: 'EUR', ownerId: 'u1' }, 'u2')).toBeNull();
    expect(notOpenedYet({ currency: 'EUR', ownerId: 'u1' }, undefined)).toBeNull();
    expect(notOpenedYet({ id: 'w' }, 'u1')).toBeNull();
    expect(notOpenedYet({ currency: 'XXX1', ownerId: 'u1' }, 'u1')).toBeNull();
  });
});
