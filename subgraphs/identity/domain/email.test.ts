import { describe, expect, it } from 'vitest';
import { isValidEmail, normaliseEmail, parseEmail } from './email.ts';

describe('email', () => {
  it('normalises by trimming and lower-casing, so case never makes a second account', () => {
    expect(normaliseEmail('  Ada.Lovelace@Example.COM ')).toBe('ada.lovelace@example.com');
  });

  it('accepts ordinary addresses, including plus tags and subdomains', () => {
    expect(isValidEmail('ada+wallet@mail.example.co.uk')).toBe(true);
  });

  it.each(['', 'ada', 'ada@', '@example.com', 'ada@example', 'ada lovelace@example.com', 'a@b@example.com'])(
    'rejects %j',
    (raw) => {
      expect(isValidEmail(normaliseEmail(raw))).toBe(false);
    },
  );

  it('rejects addresses longer than 254 characters', () => {
    expect(isValidEmail(`${'a'.repeat(64)}@${'b'.repeat(190)}.com`)).toBe(false);
  });

  it('names the field when the address is malformed', () => {
    expect(() => parseEmail('not-an-email', 'input.email')).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT', details: { field: 'input.email' } }),
    );
  });

  it('returns the normalised address', () => {
    expect(parseEmail(' ADA@example.com', 'input.email')).toBe('ada@example.com');
  });
});
