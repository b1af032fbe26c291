import { describe, expect, it } from 'vitest';
import { assertStrongPassword, passwordWeakness } from './password-policy.ts';

describe('password policy', () => {
  it('accepts a long passphrase of one character class (no composition rules)', () => {
    expect(passwordWeakness('correct horse battery staple')).toBeNull();
  });

  it('accepts a 12-character password with varied characters', () => {
    expect(passwordWeakness('Tr0ub4dor&3x')).toBeNull();
  });

  it('accepts non-Latin characters and counts code points, not UTF-16 units', () => {
    expect(passwordWeakness('пароль-длинный')).toBeNull();
    expect(passwordWeakness('😀😁😂🤣😃😄😅😆😉😊😋')).toBe('TOO_SHORT');
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

  it('refuses repetitions of a few characters', () => {
    expect(passwordWeakness('aaaaaaaaaaaa')).toBe('TOO_FEW_DISTINCT_CHARACTERS');
    expect(passwordWeakness('abcdABCDabcd')).toBe('TOO_FEW_DISTINCT_CHARACTERS');
  });

  it('refuses well-known passwords and keyboard or alphabet runs, whatever the case', () => {
    expect(passwordWeakness('Password1234')).toBe('COMMON');
    expect(passwordWeakness('QWERTYUIOPAS')).toBe('COMMON');
    expect(passwordWeakness('abcdefghijklm')).toBe('COMMON');
  });

  it('refuses passwords built on the email, the display name or the service name', () => {
    expect(passwordWeakness('lovelace-1815-!', { email: 'lovelace@example.com' })).toBe(
      'CONTAINS_PERSONAL_INFO',
    );
    expect(passwordWeakness('AdaLovelace!!7', { displayName: 'Ada Lovelace' })).toBe(
      'CONTAINS_PERSONAL_INFO',
    );
    expect(passwordWeakness('my walletgraph pw')).toBe('CONTAINS_PERSONAL_INFO');
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
