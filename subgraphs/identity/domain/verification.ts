import { createHash, randomInt, timingSafeEqual } from 'node:crypto';

/** How long a mailed code proves an address, how many wrong tries burn it, how often one is sent. */
export const verificationPolicy = {
  ttlSeconds: 30 * 60,
  maxAttempts: 5,
  resendAfterSeconds: 60,
} as const;

export type VerificationPolicy = typeof verificationPolicy;

/** A new 8-digit code (10^8 values; 5 tries per code, and a code per minute at most). */
export function newVerificationCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** What is stored of a code: its SHA-256, hex. */
export function verificationCodeHash(code: string): string {
  return createHash('sha256').update(code).digest('hex');
}

/** Whether `code` (as typed: spaces and dashes allowed) is the one whose hash is stored; constant time. */
export function codeMatches(code: string, storedHash: string): boolean {
  const typed = code.replace(/[\s-]/g, '');
  if (!/^\d{8}$/.test(typed)) return false;
  const candidate = Buffer.from(verificationCodeHash(typed), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return candidate.length === stored.length && timingSafeEqual(candidate, stored);
}

/** A stored code as `decideVerification` needs it. */
export interface PendingVerification {
  email: string;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
}

export type VerificationDecision =
  | { kind: 'verified'; email: string }
  /** Wrong code: count the try, and burn the code once `burn`. */
  | { kind: 'wrong'; burn: boolean }
  /** No live code: nothing pending, or it expired. */
  | { kind: 'none' };

/** What entering `code` does with the user's pending verification. */
export function decideVerification(
  pending: PendingVerification | undefined,
  code: string,
  now: Date,
  policy: VerificationPolicy = verificationPolicy,
): VerificationDecision {
  if (!pending || pending.expiresAt.getTime() <= now.getTime() || pending.attempts >= policy.maxAttempts) {
    return { kind: 'none' };
  }
  if (codeMatches(code, pending.codeHash)) return { kind: 'verified', email: pending.email };
  return { kind: 'wrong', burn: pending.attempts + 1 >= policy.maxAttempts };
}

/** The mail that carries a code. */
export function verificationMail(code: string, expiresAt: Date): { subject: string; text: string } {
  const grouped = `${code.slice(0, 4)} ${code.slice(4)}`;
  return {
    subject: `Your walletgraph code: ${grouped}`,
    text: [
      'Enter this code in walletgraph to confirm that this address is yours:',
      '',
      `    ${grouped}`,
      '',
      `It works once, until ${expiresAt.toISOString()}.`,
      'Until you do, money sent to this address does not reach you.',
      '',
      'If you did not ask for it, ignore this mail: nothing changes without the code.',
    ].join('\n'),
  };
}

/** The mail to an address's holder when someone registered with it. */
export function addressReuseMail(): { subject: string; text: string } {
  return {
    subject: 'Someone tried to create a walletgraph account with this address',
    text: [
      'Someone just registered for walletgraph with this email address, which is already yours.',
      '',
      'If it was you: sign in with your password instead (the new registration cannot use this',
      'address). If it was not: nothing changed for your account, and you may ignore this mail.',
    ].join('\n'),
  };
}
