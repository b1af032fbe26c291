import { type Currency, parseCurrency } from '@walletgraph/platform/money';
import { parseVisibleText } from '@walletgraph/platform/text';
import { parseEmail } from './domain/email.ts';
import { assertStrongPassword } from './domain/password-policy.ts';

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

/** A display name as other people see it (`parseVisibleText`), or BAD_USER_INPUT naming `field`. */
export function parseDisplayName(raw: string, field: string): string {
  return parseVisibleText(raw, field, MAX_DISPLAY_NAME_LENGTH);
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

/** `UpdateProfileInput` as GraphQL delivers it: an omitted field stays as it is. */
export interface UpdateProfileInput {
  displayName?: string | null;
  email?: string | null;
}

/** `updateProfile`'s input checked field by field; null for a field left out. */
export function parseProfileUpdate(input: UpdateProfileInput): {
  displayName: string | null;
  email: string | null;
} {
  const displayName =
    input.displayName == null ? null : parseDisplayName(input.displayName, 'input.displayName');
  const email = input.email == null ? null : parseEmail(input.email, 'input.email');
  return { displayName, email };
}
