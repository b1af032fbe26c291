import { badInput } from '@walletgraph/platform/errors';
import { z } from 'zod';

/** RFC 5321 caps a forward path at 256 octets including the angle brackets. */
export const MAX_EMAIL_LENGTH = 254;

// The same check the `identity.*` event contracts apply (z.email), so an address accepted here
// can never make the registration event invalid.
const emailSchema = z.email().max(MAX_EMAIL_LENGTH);

/**
 * The form an email is stored and compared in: trimmed and lower-cased, so `Ada@Example.com `
 * and `ada@example.com` are one account (docs/architecture.md §9).
 */
export function normaliseEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Whether a normalised email is a well-formed address. */
export function isValidEmail(email: string): boolean {
  return emailSchema.safeParse(email).success;
}

/** Normalises and validates an email, or throws BAD_USER_INPUT naming `field`. */
export function parseEmail(raw: string, field: string): string {
  const email = normaliseEmail(raw);
  if (!isValidEmail(email)) throw badInput(field, 'must be an email address such as ada@example.com');
  return email;
}
