import { z } from 'zod';
import { currency, id } from './fields.ts';

/** The events the identity subgraph publishes. */
export const identityEvents = {
  'identity.user_registered.v1': {
    aggregateType: 'User',
    data: z.object({
      userId: id,
      email: z.email(),
      displayName: z.string().min(1),
      /** Currency of the default wallet the wallet subgraph opens for this user. */
      currency,
    }),
  },
  'identity.user_updated.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, email: z.email(), displayName: z.string().min(1) }),
  },
  /**
   * A code for proving `email` was issued (at registration, on request, on an email change):
   * identity's mailer sends it there. Identity's own: the one event that carries a secret, so
   * no other service binds to it; the code is single-use, expires at `expiresAt`, and is stored
   * only hashed.
   */
  'identity.email_verification_requested.v1': {
    aggregateType: 'User',
    data: z.object({
      userId: id,
      email: z.email(),
      code: z.string().regex(/^\d{8}$/),
      expiresAt: z.iso.datetime({ offset: true }),
    }),
  },
  /**
   * Someone registered with an address an account already holds (they got a shadow account, see
   * identity): identity's mailer tells the holder, who may want to sign in or ignore it.
   * Identity's own.
   */
  'identity.address_reuse_attempted.v1': {
    aggregateType: 'Address',
    data: z.object({ email: z.email() }),
  },
  /**
   * A user proved they receive mail at `email` (a code sent there was entered): from now on it
   * is their address, also as a payment address (`transfer(toEmail:)`). Emitted at each
   * verification, so also when a verified user moves to another address.
   */
  'identity.email_verified.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, email: z.email() }),
  },
  /**
   * Every session of the user ended (sign-out everywhere, a password change): access tokens
   * issued before `notBefore` are to be refused and live sockets opened with them closed.
   * Identity's own: its consumer records it where the gateways read it (platform revocations).
   */
  'identity.sessions_revoked.v1': {
    aggregateType: 'User',
    data: z.object({ userId: id, notBefore: z.iso.datetime({ offset: true }) }),
  },
} as const;
