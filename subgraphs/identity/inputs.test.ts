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

  it('defaults the currency to USD when none is given', () => {
    expect(parseRegistration({ ...valid, currency: null }).currency).toBe('USD');
    expect(parseRegistration({ ...valid, currency: undefined }).currency).toBe('USD');
  });

  it('rejects a malformed email naming input.email', () => {
    expect(() => parseRegistration({ ...valid, email: 'ada-at-example' })).toThrow(failure('input.email'));
  });

  it('rejects an empty or over-long display name naming input.displayName', () => {
    expect(() => parseRegistration({ ...valid, displayName: '   ' })).toThrow(failure('input.displayName'));
    expect(() => parseRegistration({ ...valid, displayName: 'x'.repeat(65) })).toThrow(
      failure('input.displayName'),
    );
  });

  it('rejects control characters and bidi overrides in a display name', () => {
    expect(() => parseDisplayName('Ada\u0000', 'input.displayName')).toThrow(failure('input.displayName'));
    expect(() => parseDisplayName('Ada\u202Eecalevol', 'input.displayName')).toThrow(
      failure('input.displayName'),
    );
  });

  it('rejects an unknown currency naming input.currency', () => {
    expect(() => parseRegistration({ ...valid, currency: 'XYZ' })).toThrow(failure('input.currency'));
    expect(() => parseRegistration({ ...valid, currency: 'usd' })).toThrow(failure('input.currency'));
  });

  it('rejects a weak password with WEAK_PASSWORD naming input.password', () => {
    expect(() => parseRegistration({ ...valid, password: 'short' })).toThrow(
      failure('input.password', 'WEAK_PASSWORD'),
    );
  });

  it('rejects a password built on the email being registered', () => {
    expect(() =>
      parseRegistration({ ...valid, email: 'babbage@example.com', password: 'Babbage-rules-1834' }),
    ).toThrow(failure('input.password', 'WEAK_PASSWORD'));
  });
});

describe('profile update', () => {
  it('leaves out what the client left out, and checks the rest as registration does', () => {
    expect(parseProfileUpdate({})).toEqual({ displayName: null, email: null });
    expect(parseProfileUpdate({ displayName: ' Ada ', email: ' Ada@Example.com' })).toEqual({
      displayName: 'Ada',
      email: 'ada@example.com',
    });
    expect(() => parseProfileUpdate({ email: 'ada-at-example' })).toThrow(failure('input.email'));
    expect(() => parseProfileUpdate({ displayName: '  ' })).toThrow(failure('input.displayName'));
  });
});
