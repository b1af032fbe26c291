import { describe, expect, it } from 'vitest';
import { assertStrongPassword, passwordWeakness } from './password-policy.ts';

describe('password policy', () => {
  it('accepts a long passphrase of one character class (no composition rules)', () => {
    expect(passwordWeakness('correct horse battery staple')).toBeNull();
  });

  it('accepts a 12-character password with varied characters', () => {
    expect(passwordWeakness('Tr0ub4dor&3x')).toBeNull();
  });

  it.each([
    { name: 'accepts 14 Cyrillic characters', password: 'пароль-длинный', weakness: null },
    { name: 'refuses 11 emoji, 22 UTF-16 units', password: '😀😁😂🤣😃😄😅😆😉😊😋', weakness: 'TOO_SHORT' },
  ])('counts code points, not UTF-16 units: $name', ({ password, weakness }) => {
    expect(passwordWeakness(password)).toBe(weakness);
  });

  it('refuses fewer than 12 characters', () => {
    expect(passwordWeakness('Tr0ub4dor&3')).toBe('TOO_SHORT');
  });

  it('refuses more than 128 characters', () => {
    expect(passwordWeakness('ab1-'.repeat(33))).toBe('TOO_LONG');
  });

  it('refuses digits only', () => {
    expect(passwordWeakness('907312846571')).toBe('DIGITS_ONLY');
  });

  it.each(['aaaaaaaaaaaa', 'abcdABCDabcd'])('refuses %s, repetitions of a few characters', (password) => {
    expect(passwordWeakness(password)).toBe('TOO_FEW_DISTINCT_CHARACTERS');
  });

  it.each(['Password1234', 'QWERTYUIOPAS', 'abcdefghijklm'])(
    'refuses %s: well-known passwords and keyboard or alphabet runs, whatever the case',
    (password) => {
      expect(passwordWeakness(password)).toBe('COMMON');
    },
  );

  it.each([
    { name: 'the email', password: 'lovelace-1815-!', personal: { email: 'lovelace@example.com' } },
    { name: 'the display name', password: 'AdaLovelace!!7', personal: { displayName: 'Ada Lovelace' } },
    { name: 'the service name', password: 'my walletgraph pw', personal: undefined },
  ])('refuses a password built on $name', ({ password, personal }) => {
    expect(passwordWeakness(password, personal)).toBe('CONTAINS_PERSONAL_INFO');
  });

  it('ignores personal words too short to matter', () => {
    expect(passwordWeakness('cicada-season-42', { email: 'ada@example.com' })).toBeNull();
  });

  it('throws WEAK_PASSWORD naming the field and the reason', () => {
    expect(() => assertStrongPassword('short', 'input.password')).toThrow(
      expect.objectContaining({
        code: 'WEAK_PASSWORD',
        details: { field: 'input.password', reason: 'TOO_SHORT' },
      }),
    );
  });
});
