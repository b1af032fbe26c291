import { randomBytes } from 'node:crypto';
import type { KeySealer } from '@walletgraph/platform/auth/key-sealing';
import { JWKS_CACHE_MAX_AGE_MS } from '@walletgraph/platform/auth/verifier';
import type { Clock } from '@walletgraph/platform/clock';
import type { Database } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import { gt, isNull, lt, or, sql } from 'drizzle-orm';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import type * as schema from './db/schema.ts';
import { type SigningKeyRow, signingKeys } from './db/schema.ts';
import { privateJwkOf, sealJwk, sealStale } from './signing-key-sealing.ts';

/** The algorithm the one verifier accepts (platform/src/auth/verifier.ts). */
export const SIGNING_ALG = 'EdDSA';

/** A private key ready to sign, and the id verifiers find its public half by. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
}

export interface SigningKeyStore {
  /** The key to sign with now: the newest active one. */
  signingKey(): Promise<SigningKey>;
  /** Public keys of every key not past `expires_at`: the active one, retired ones whose tokens may still be live, and any published ahead of activation. */
  jwks(): JSONWebKeySet;
  /**
   * Makes a new key the signing key `publishAheadSeconds` from now; until then it is only
   * published, so verifiers holding a cached JWKS have time to see it. The old key keeps
   * verifying until its last token has expired. Expired keys are deleted.
   */
  rotate(options?: { publishAheadSeconds?: number }): Promise<{ kid: string; activatesAt: Date }>;
  /** Rereads keys (other replicas and the rotate script write them too). */
  reload(): Promise<void>;
  /** Stops the periodic reload. */
  stop(): void;
}

export interface SigningKeyStoreOptions {
  db: Database<typeof schema>;
  clock: Clock;
  logger: Logger;
  /** Longest access-token lifetime: how long a retired key stays published. */
  accessTokenTtlSeconds: number;
  /** How often keys are reread; bounds how long a replica signs with a key another one retired. Default 60 s. */
  reloadIntervalMs?: number;
  /** Seals private keys at rest (`signingKeySealer`, signing-key-sealing.ts). */
  sealer: KeySealer;
}

// Clock skew between this service and verifiers (the verifier tolerates 5 s).
const SKEW_SECONDS = 60;
const DEFAULT_RELOAD_INTERVAL_MS = 60_000;

/**
 * Default lead time of a rotated-in key, 12 minutes: a replica may serve a JWKS without it until
 * its next reload (60 s), and a verifier keeps what it fetched for `JWKS_CACHE_MAX_AGE_MS`
 * (10 min; the route's HTTP `max-age` of 300 s is shorter), so by then every verifier has it.
 */
export const DEFAULT_PUBLISH_AHEAD_SECONDS =
  (JWKS_CACHE_MAX_AGE_MS + DEFAULT_RELOAD_INTERVAL_MS) / 1000 + SKEW_SECONDS;
const LOCK = sql`select pg_advisory_xact_lock(hashtext('walletgraph:identity:signing-keys'))`;

async function generateSigningKey(
  sealer: KeySealer,
  activatesAt: Date,
  now: Date,
): Promise<typeof signingKeys.$inferInsert> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
  const kid = randomBytes(16).toString('base64url');
  const meta = { kid, alg: SIGNING_ALG, use: 'sig' };
  return {
    kid,
    sealedPrivateKey: sealJwk(sealer, kid, { ...(await exportJWK(privateKey)), ...meta }),
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
    createdAt: now,
    activatesAt,
  };
}

const isAfter = (at: Date | null, now: Date) => at === null || at.getTime() > now.getTime();

/**
 * Loads the signing keys from `signing_keys`, creating the first one when no key is current.
 * Replicas starting together serialise on an advisory lock, so exactly one creates it.
 */
export async function createSigningKeyStore(options: SigningKeyStoreOptions): Promise<SigningKeyStore> {
  const { db, clock, logger, accessTokenTtlSeconds, sealer } = options;
  const reloadIntervalMs = options.reloadIntervalMs ?? DEFAULT_RELOAD_INTERVAL_MS;
  let rows: SigningKeyRow[] = [];
  let imported = new Map<string, CryptoKey>();

  /** Rereads the keys and opens any new one; a key that does not open leaves the old set in place. */
  async function reload(): Promise<void> {
    const fresh = await db
      .select()
      .from(signingKeys)
      .where(or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, clock.now())));
    const keys = new Map<string, CryptoKey>();
    for (const row of fresh) {
      const known = imported.get(row.kid);
      keys.set(row.kid, known ?? ((await importJWK(privateJwkOf(row, sealer), SIGNING_ALG)) as CryptoKey));
    }
    rows = fresh;
    imported = keys;
  }

  function privateKeyOf(row: SigningKeyRow): CryptoKey {
    const key = imported.get(row.kid);
    if (!key) throw new Error(`signing key ${row.kid} is not loaded`);
    return key;
  }

  function current(now: Date): SigningKeyRow | undefined {
    return rows
      .filter((r) => r.activatesAt.getTime() <= now.getTime() && isAfter(r.retireAfter, now))
      .sort((a, b) => b.activatesAt.getTime() - a.activatesAt.getTime())[0];
  }

  await db.transaction(async (tx) => {
    await tx.execute(LOCK);
    await sealStale(tx, sealer, logger);
    const [newest] = await tx
      .select({ kid: signingKeys.kid })
      .from(signingKeys)
      .where(isNull(signingKeys.retireAfter));
    if (newest) return;
    const now = clock.now();
    const key = await generateSigningKey(sealer, now, now);
    await tx.insert(signingKeys).values(key);
    logger.info({ kid: key.kid }, 'created the first signing key');
  });
  await reload();

  const timer = setInterval(() => {
    reload().catch((error: unknown) => logger.warn({ err: error }, 'reloading signing keys failed'));
  }, reloadIntervalMs);
  timer.unref();

  return {
    async signingKey() {
      // A replica whose snapshot predates a rotation can find its key retired: read again once.
      let row = current(clock.now());
      if (!row) {
        await reload();
        row = current(clock.now());
      }
      if (!row) throw new Error('no active signing key');
      return { kid: row.kid, privateKey: privateKeyOf(row) };
    },
    jwks() {
      const now = clock.now();
      return { keys: rows.filter((r) => isAfter(r.expiresAt, now)).map((r) => r.publicJwk as JWK) };
    },
    async rotate(rotateOptions = {}) {
      const now = clock.now();
      const ahead = rotateOptions.publishAheadSeconds ?? DEFAULT_PUBLISH_AHEAD_SECONDS;
      const activatesAt = new Date(now.getTime() + ahead * 1000);
      // A replica may sign with the old key until its next reload; that token then lives one TTL.
      const lastValidity = accessTokenTtlSeconds + Math.ceil(reloadIntervalMs / 1000) + SKEW_SECONDS;
      const expiresAt = new Date(activatesAt.getTime() + lastValidity * 1000);
      const key = await generateSigningKey(sealer, activatesAt, now);
      await db.transaction(async (tx) => {
        await tx.execute(LOCK);
        await sealStale(tx, sealer, logger);
        await tx.delete(signingKeys).where(lt(signingKeys.expiresAt, now));
        await tx
          .update(signingKeys)
          .set({ retireAfter: activatesAt, expiresAt })
          .where(isNull(signingKeys.retireAfter));
        await tx.insert(signingKeys).values(key);
      });
      await reload();
      logger.info({ kid: key.kid, activatesAt }, 'rotated the signing key');
      return { kid: key.kid, activatesAt };
    },
    reload,
    stop() {
      clearInterval(timer);
    },
  };
}
