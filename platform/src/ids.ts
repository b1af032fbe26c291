import { randomUUID } from 'node:crypto';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

declare const idKind: unique symbol;

/**
 * An id that has been through `parseId`: a UUID in its canonical lower-case form. The kind keeps
 * a wallet id from being passed where a jar id is meant; nothing at run time carries it.
 */
export type Id<Kind extends string> = string & { readonly [idKind]: Kind };
export type UserId = Id<'User'>;
export type WalletId = Id<'Wallet'>;
export type JarId = Id<'Jar'>;
export type OperationId = Id<'Operation'>;

/**
 * A client-supplied id as the database stores it, or null when it cannot name anything of ours:
 * the caller answers "not found" without querying (Postgres would refuse the cast to uuid).
 * Clients may send ids in upper case; every table keys on the lower-case form, so an id is
 * parsed once here and compared as parsed.
 */
export function parseId<Kind extends string>(text: string | null | undefined): Id<Kind> | null {
  return typeof text === 'string' && uuid.test(text) ? (text.toLowerCase() as Id<Kind>) : null;
}

const uuidV7 = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** When a UUIDv7 was minted (its first 48 bits are Unix milliseconds); null for any other id. */
export function uuidv7Time(id: string): Date | null {
  const m = uuidV7.exec(id);
  return m ? new Date(Number.parseInt(m[1]! + m[2]!, 16)) : null;
}

/**
 * A new id that says nothing but itself (a random UUIDv4), for ids other people see whose
 * creation time is private: a user's id, which a transfer's counterparty sees, must not carry
 * `User.createdAt` the way a UUIDv7's first 48 bits would. Everything else is minted as UUIDv7
 * (time-ordered inserts, and `readProjection` recognises a freshly minted id).
 */
export function opaqueId(): string {
  return randomUUID();
}
