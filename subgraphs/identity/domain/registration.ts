import { badInput } from '@walletgraph/platform/errors';
import { type Currency, parseCurrency } from '@walletgraph/platform/money';
import { parseEmail } from './email.ts';
import { assertStrongPassword } from './password-policy.ts';

export const MAX_DISPLAY_NAME_LENGTH = 64;
/** The default wallet's currency when the client sends none (the schema's default). */
export const DEFAULT_CURRENCY: Currency = 'USD';

/** `RegisterInput` as GraphQL delivers it. */
export interface RegisterInput {
  email: string;
  password: string;
  displayName: string;
  currency?: string | null;
}

/** A registration that passed every rule: normalised email and name, a known currency. */
export interface Registration {
  email: string;
  password: string;
  displayName: string;
  currency: Currency;
}

// Control characters and bidirectional overrides let a name disguise itself in other people's UIs.
const forbiddenInName = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** Trims and validates a display name, or throws BAD_USER_INPUT naming `field`. */
export function parseDisplayName(raw: string, field: string): string {
  const name = raw.normalize('NFC').trim();
  const length = [...name].length;
  if (length === 0 || length > MAX_DISPLAY_NAME_LENGTH) {
    throw badInput(field, `must be 1 to ${MAX_DISPLAY_NAME_LENGTH} characters`);
  }
  if (forbiddenInName.test(name)) throw badInput(field, 'must not contain control characters');
  return name;
}

/**
 * Validates `register`'s input field by field, in the order a form shows them, naming the first
 * failing field (`input.email`, `input.displayName`, `input.currency`, `input.password`). The
 * password is checked last because the rule needs the email and name it must not contain.
 */
export function parseRegistration(input: RegisterInput): Registration {
  const email = parseEmail(input.email, 'input.email');
  const displayName = parseDisplayName(input.displayName, 'input.displayName');
  const currency = parseCurrency(input.currency ?? DEFAULT_CURRENCY, 'input.currency');
  assertStrongPassword(input.password, 'input.password', { email, displayName });
  return { email, password: input.password, displayName, currency };
}
