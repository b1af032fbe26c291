import { describe, expect, it } from 'vitest';
import { parseDisplayName, parseProfileUpdate, parseRegistration } from './inputs.ts';

const valid = {
  email: ' Ada@Example.com ',
  password: 'analytical engine 1843',
  displayName: '  Ada Lovelace ',
  currency: 'GBP',
};

function failure(field: string, code = 'BAD_USER_INPUT') {
  return expect.objectContaining({ code, details: expect.objectContaining({ field }) });
}

describe('registration', () => {
  it('normalises the email and trims the display name', () => {
    expect(parseRegistration(valid)).toEqual({
      email: 'ada@example.com',
      password: 'analytical engine 1843',
      displayName: 'Ada Lovelace',
      currency: 'GBP',
    });
  });

  it.each([null, undefined])('defaults the currency to USD when it is %s', (currency) => {
    expect(parseRegistration({ ...valid, currency }).currency).toBe('USD');
  });

  it.each([
    {
      name: 'a malformed email',
      input: { email: 'ada-at-example' },
      code: 'BAD_USER_INPUT',
      field: 'input.email',
    },
    {
      name: 'a blank display name',
      input: { displayName: '   ' },
      code: 'BAD_USER_INPUT',
      field: 'input.displayName',
    },
    {
      name: 'a display name of 65 characters',
      input: { displayName: 'x'.repeat(65) },
      code: 'BAD_USER_INPUT',
      field: 'input.displayName',
    },
    {
      name: 'an unknown currency',
      input: { currency: 'XYZ' },
      code: 'BAD_USER_INPUT',
      field: 'input.currency',
    },
    {
      name: 'a currency in lower case',
      input: { currency: 'usd' },
      code: 'BAD_USER_INPUT',
      field: 'input.currency',
    },
    { name: 'a weak password', input: { password: 'short' }, code: 'WEAK_PASSWORD', field: 'input.password' },
    {
      name: 'a password built on the email',
      input: { email: 'babbage@example.com', password: 'Babbage-rules-1834' },
      code: 'WEAK_PASSWORD',
      field: 'input.password',
    },
  ])('rejects $name with $code naming $field', ({ input, code, field }) => {
    expect(() => parseRegistration({ ...valid, ...input })).toThrow(failure(field, code));
  });

  it.each([
    { name: 'a control character', displayName: 'Ada\u0000' },
    { name: 'a bidi override', displayName: 'Ada\u202Eecalevol' },
  ])('rejects a display name with $name', ({ displayName }) => {
    expect(() => parseDisplayName(displayName, 'input.displayName')).toThrow(failure('input.displayName'));
  });
});

describe('profile update', () => {
  it.each([
    { name: 'leaves out what the client left out', input: {}, update: { displayName: null, email: null } },
    {
      name: 'reads what it gives as registration does',
      input: { displayName: ' Ada ', email: ' Ada@Example.com' },
      update: { displayName: 'Ada', email: 'ada@example.com' },
    },
  ])('$name', ({ input, update }) => {
    expect(parseProfileUpdate(input)).toEqual(update);
  });

  it.each([
    { name: 'a malformed email', input: { email: 'ada-at-example' }, field: 'input.email' },
    { name: 'a blank display name', input: { displayName: '  ' }, field: 'input.displayName' },
  ])('rejects $name as registration does, naming $field', ({ input, field }) => {
    expect(() => parseProfileUpdate(input)).toThrow(failure(field));
  });
});
