import type { SealedSecret } from '@walletgraph/platform/auth/key-sealing';
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { JWK } from 'jose';

export { inbox, outbox } from '@walletgraph/platform/db/tables';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * A registered person. `email` is stored normalised (trimmed, lower-case): the unique index is
 * the case-insensitive check, over the accounts that hold their address. A `shadow` account was
 * registered with an address another account already held: it answered like any registration
 * (so `register` reveals nothing), but it can never sign in with that address nor prove it; it
 * leaves the shadow only by proving an address of its own.
 */
export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    /** When the user proved they receive mail at `email`; null until then. */
    emailVerifiedAt: timestamptz('email_verified_at'),
    /** Bumped on every profile change; published as the events' `aggregateVersion` so consumers can drop stale updates. */
    version: integer('version').notNull().default(1),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    shadow: boolean('shadow').notNull().default(false),
  },
  (t) => [uniqueIndex('users_email_key').on(t.email).where(sql`not ${t.shadow}`)],
);

/** A user's password, kept apart from the profile so no profile query can select it by accident. */
export const credentials = pgTable('credentials', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Self-describing scrypt hash: `scrypt$N$r$p$salt$hash`. */
  passwordHash: text('password_hash').notNull(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

/**
 * Opaque refresh tokens, stored only as the SHA-256 of the token. A family is one sign-in:
 * every rotation adds a row to it, and presenting a rotated row again revokes the whole family.
 */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
    expiresAt: timestamptz('expires_at').notNull(),
    rotatedAt: timestamptz('rotated_at'),
    revokedAt: timestamptz('revoked_at'),
    /** The token this one was rotated into. */
    replacedBy: uuid('replaced_by'),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    index('refresh_tokens_user_idx').on(t.userId),
    index('refresh_tokens_expires_idx').on(t.expiresAt),
  ],
);

/**
 * Ed25519 keys that sign access tokens. A key signs from `activates_at` until `retire_after`
 * and is published in the JWKS until `expires_at`, so tokens it signed keep verifying after
 * rotation; a key activating in the future is already published, so verifiers learn it first.
 */
export const signingKeys = pgTable('signing_keys', {
  kid: text('kid').primaryKey(),
  /**
   * The private key (JWK) as earlier versions stored it, in plaintext; null once sealed. Read
   * only to seal it (signing-key-sealing.ts), at the next start.
   */
  privateJwk: jsonb('private_jwk').$type<JWK>(),
  /** The private JWK sealed under SIGNING_KEY_ENCRYPTION_KEY (platform/src/auth/key-sealing.ts). */
  sealedPrivateKey: jsonb('sealed_private_key').$type<SealedSecret>(),
  publicJwk: jsonb('public_jwk').$type<JWK>().notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  activatesAt: timestamptz('activates_at').notNull(),
  /** Null for the newest key; set when a newer key takes over signing. */
  retireAfter: timestamptz('retire_after'),
  /** Null while the key may still sign; then the last moment a token it signed can be valid. */
  expiresAt: timestamptz('expires_at'),
});

/**
 * Failed sign-in attempts, for the sliding-window throttle. `scope` says what `key` names:
 * `account` is the normalised email tried (known or not, so throttling reveals nothing).
 */
/**
 * The one live verification code of a user, for `email`: their own unproven address, or the one
 * they asked to move to (which becomes theirs only once proven). Only the code's SHA-256 is kept;
 * `attempts` counts wrong guesses, and the row is gone once used, expired or guessed at too often.
 */
export const emailVerifications = pgTable('email_verifications', {
  userId: uuid('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  codeHash: text('code_hash').notNull(),
  attempts: integer('attempts').notNull().default(0),
  createdAt: timestamptz('created_at').notNull(),
  expiresAt: timestamptz('expires_at').notNull(),
});

/**
 * Password attempts held or failed, per throttle (login-throttle.ts): `pair` keys one account
 * (normalised email) at one client address, `account` an account from anywhere (the last-resort
 * ceiling), `password-change` a user's `changePassword`. A row is written before the password is
 * checked and deleted again if it was right; rows older than the longest window are pruned.
 */
export const loginFailures = pgTable(
  'login_failures',
  {
    id: bigserial('id', { mode: 'bigint' }).primaryKey(),
    scope: text('scope', { enum: ['account', 'pair', 'password-change'] }).notNull(),
    key: text('key').notNull(),
    failedAt: timestamptz('failed_at').notNull(),
  },
  (t) => [
    index('login_failures_key_idx').on(t.scope, t.key, t.failedAt),
    index('login_failures_failed_at_idx').on(t.failedAt),
  ],
);

/**
 * The client addresses (IPv6: /64) a user has signed in or registered from, and when last: a
 * correct password from one of them is never refused by a throttle others can fill. Forgotten
 * after KNOWN_ADDRESS_DAYS without a sign-in.
 */
export const signInAddresses = pgTable(
  'sign_in_addresses',
  {
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    lastSignedInAt: timestamptz('last_signed_in_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.address] }),
    index('sign_in_addresses_last_idx').on(t.lastSignedInAt),
  ],
);

/**
 * Who may see whose public profile: `viewer_id` completed a transfer with `user_id` (both ways
 * are rows), projected from the wallet subgraph's `wallet.counterparty_added.v1`. A `User` reference for anyone
 * else answers null, whoever asks and however they reach identity.
 */
export const counterparties = pgTable(
  'counterparties',
  {
    viewerId: uuid('viewer_id').notNull(),
    userId: uuid('user_id').notNull(),
    since: timestamptz('since').notNull(),
  },
  (t) => [primaryKey({ columns: [t.viewerId, t.userId] })],
);
export type NewCounterpartyRow = typeof counterparties.$inferInsert & { since: Date };

export type UserRow = typeof users.$inferSelect;
export type CredentialRow = typeof credentials.$inferSelect;
export type RefreshTokenRow = typeof refreshTokens.$inferSelect;
export type SigningKeyRow = typeof signingKeys.$inferSelect;
export type LoginFailureRow = typeof loginFailures.$inferSelect;

/**
 * Each user's live feed (platform live/feed.ts): where it stands (`last_seq`, the position of its
 * newest entry) and how far it was pruned (`pruned_through`: entries up to it are gone, so a
 * cursor before it is CURSOR_EXPIRED). The row is the lock that numbers a user's entries in
 * commit order.
 */
export const liveFeedHeads = pgTable('live_feed_heads', {
  userId: uuid('user_id').primaryKey(),
  lastSeq: bigint('last_seq', { mode: 'bigint' }).notNull(),
  prunedThrough: bigint('pruned_through', { mode: 'bigint' }).notNull().default(sql`0`),
});

/** The live notices kept for each user, by position, for a retention window (live-feed.ts). */
export const liveFeed = pgTable(
  'live_feed',
  {
    userId: uuid('user_id').notNull(),
    seq: bigint('seq', { mode: 'bigint' }).notNull(),
    topic: text('topic').notNull(),
    /** The object the notice is about (the catalog's `objectId` field), for a subscription narrowed to one. */
    objectId: uuid('object_id'),
    notice: jsonb('notice').notNull(),
    at: timestamptz('at').notNull().defaultNow(),
    /** When it was published on its user's channel; null until Redis took it (live-feed-service.ts republishes). */
    publishedAt: timestamptz('published_at'),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.seq] }),
    index('live_feed_at_idx').on(t.at),
    index('live_feed_unpublished_idx').on(t.at).where(sql`${t.publishedAt} is null`),
  ],
);
