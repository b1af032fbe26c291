import { DomainError } from '@walletgraph/platform/errors';

/**
 * The password rule, after OWASP ASVS 4 §2.1 and NIST SP 800-63B §5.1.1.2: length is what
 * counts (12 to 128 characters, spaces and any Unicode allowed, nothing truncated), no
 * composition rules, and passwords that are trivially guessable are refused: digits only, too
 * few distinct characters, a well-known or keyboard-sequence password, or one built on the
 * account's own email or name.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
/** Fewer distinct characters than this is a repetition (`aaaaaaaaaaaa`, `abcabcabcabc`). */
export const MIN_DISTINCT_CHARACTERS = 5;

export type PasswordWeakness =
  | 'TOO_SHORT'
  | 'TOO_LONG'
  | 'DIGITS_ONLY'
  | 'TOO_FEW_DISTINCT_CHARACTERS'
  | 'COMMON'
  | 'CONTAINS_PERSONAL_INFO';

/** What the password must not be built on: the account's email and display name. */
export interface PasswordContext {
  email?: string;
  displayName?: string;
}

// Passwords of 12+ characters that top public breach corpora, and the walks people type
// instead of choosing; compared lower-cased.
const commonPasswords = new Set([
  'password1234',
  'password12345',
  'password123!',
  'passwordpassword',
  'qwerty123456',
  'qwertyuiop12',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'iloveyou1234',
  'welcome12345',
  'letmein12345',
  'changeme1234',
  'administrator',
  'abc123456789',
  'trustno1trustno1',
  'walletgraph123',
]);
const sequences = ['abcdefghijklmnopqrstuvwxyz', 'qwertyuiopasdfghjklzxcvbnm', '01234567890123456789'];
const serviceWords = ['walletgraph'];

/** Code points after NFKC, the form passwords are hashed in (NIST 800-63B §5.1.1.2). */
function characters(password: string): string[] {
  return [...password.normalize('NFKC')];
}

/** Why a password is too weak, or null when it is acceptable. */
export function passwordWeakness(password: string, context: PasswordContext = {}): PasswordWeakness | null {
  const chars = characters(password);
  if (chars.length < MIN_PASSWORD_LENGTH) return 'TOO_SHORT';
  if (chars.length > MAX_PASSWORD_LENGTH) return 'TOO_LONG';
  if (/^\p{Nd}+$/u.test(password)) return 'DIGITS_ONLY';
  if (new Set(chars.map((c) => c.toLowerCase())).size < MIN_DISTINCT_CHARACTERS) {
    return 'TOO_FEW_DISTINCT_CHARACTERS';
  }
  const lower = chars.join('').toLowerCase();
  if (commonPasswords.has(lower) || sequences.some((s) => s.includes(lower))) return 'COMMON';
  if (personalWords(context).some((word) => lower.includes(word))) return 'CONTAINS_PERSONAL_INFO';
  return null;
}

// Words shorter than four characters would refuse too much by coincidence ("ada" in "cicada").
function personalWords(context: PasswordContext): string[] {
  const local = context.email?.split('@')[0] ?? '';
  const name = context.displayName?.replace(/\s+/g, '') ?? '';
  return [local, name, ...serviceWords].map((w) => w.toLowerCase()).filter((w) => w.length >= 4);
}

const explanations: Record<PasswordWeakness, string> = {
  TOO_SHORT: `must be at least ${MIN_PASSWORD_LENGTH} characters`,
  TOO_LONG: `must be at most ${MAX_PASSWORD_LENGTH} characters`,
  DIGITS_ONLY: 'must not be digits only',
  TOO_FEW_DISTINCT_CHARACTERS: `must use at least ${MIN_DISTINCT_CHARACTERS} different characters`,
  COMMON: 'is a commonly used password',
  CONTAINS_PERSONAL_INFO: 'must not contain your email, your name or the service name',
};

/** Throws WEAK_PASSWORD naming `field` and the reason when the password breaks the rule. */
export function assertStrongPassword(password: string, field: string, context: PasswordContext = {}): void {
  const weakness = passwordWeakness(password, context);
  if (weakness) {
    throw new DomainError('WEAK_PASSWORD', `${field}: ${explanations[weakness]}`, {
      field,
      reason: weakness,
    });
  }
}
