import {
  createKeySealer,
  developmentSealer,
  KEK_FORMAT,
  type KeySealer,
  parseKek,
  SealError,
} from '@walletgraph/platform/auth/key-sealing';
import { type Config, ConfigError } from '@walletgraph/platform/config';
import type { Database } from '@walletgraph/platform/db/database';
import type { Logger } from '@walletgraph/platform/logger';
import { eq, isNotNull, or, sql } from 'drizzle-orm';
import type { JWK } from 'jose';
import type * as schema from './db/schema.ts';
import { type SigningKeyRow, signingKeys } from './db/schema.ts';

type Tx = Parameters<Parameters<Database<typeof schema>['transaction']>[0]>[0];

/**
 * The sealer of SIGNING_KEY_ENCRYPTION_KEY. Production refuses to start without it; elsewhere
 * the public development key stands in, with a warning: keys sealed with it are as good as
 * plaintext, and are sealed again with the configured key at the first start that has one.
 */
export function signingKeySealer(
  config: Pick<Config, 'SIGNING_KEY_ENCRYPTION_KEY' | 'isProduction'>,
  logger: Logger,
): KeySealer {
  const value = config.SIGNING_KEY_ENCRYPTION_KEY;
  if (value) {
    const kek = parseKek(value);
    if (!kek) throw new ConfigError(`SIGNING_KEY_ENCRYPTION_KEY: must be ${KEK_FORMAT}`);
    return createKeySealer(kek);
  }
  if (config.isProduction) {
    throw new ConfigError(
      'SIGNING_KEY_ENCRYPTION_KEY: required in production (it encrypts the private signing keys ' +
        `in the identity database), ${KEK_FORMAT}`,
    );
  }
  logger.warn(
    'SIGNING_KEY_ENCRYPTION_KEY is not set: private signing keys are sealed with the public ' +
      'development key, as good as plaintext (production refuses to start without it)',
  );
  return developmentSealer;
}

/** A private JWK sealed under `sealer`, bound to its key id. */
export const sealJwk = (sealer: KeySealer, kid: string, jwk: JWK) =>
  sealer.seal(kid, Buffer.from(JSON.stringify(jwk), 'utf8'));

/**
 * A row's private JWK, checked to be the private half of its published key: a wrong
 * SIGNING_KEY_ENCRYPTION_KEY fails here, loudly, and never yields a key to sign with.
 */
export function privateJwkOf(row: SigningKeyRow, sealer: KeySealer): JWK {
  let jwk: JWK;
  if (row.sealedPrivateKey) {
    const sealed = row.sealedPrivateKey;
    // The development key is public: a key sealed with it opens whatever is configured now.
    const opener = sealed.kek === 'development' ? developmentSealer : sealer;
    if (sealed.kek === 'configured' && sealer.kek !== 'configured') {
      throw new ConfigError(
        `SIGNING_KEY_ENCRYPTION_KEY: signing key ${row.kid} was encrypted with a configured key, and none is set`,
      );
    }
    try {
      jwk = JSON.parse(opener.open(row.kid, sealed).toString('utf8')) as JWK;
    } catch (error) {
      if (!(error instanceof SealError)) throw error;
      throw new ConfigError(
        `SIGNING_KEY_ENCRYPTION_KEY: signing key ${row.kid} does not decrypt with it: not the key ` +
          'it was encrypted with, or the row was altered',
      );
    }
  } else if (row.privateJwk) {
    jwk = row.privateJwk;
  } else {
    throw new Error(`signing key ${row.kid} has no private key`);
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.d || jwk.x !== (row.publicJwk as JWK).x) {
    throw new ConfigError(
      `SIGNING_KEY_ENCRYPTION_KEY: signing key ${row.kid} is not the private half of its public key`,
    );
  }
  return jwk;
}

/**
 * Seals every private key still stored in plaintext (by earlier versions) or under the public
 * development key once a key is configured. Called under the advisory lock.
 */
export async function sealStale(tx: Tx, sealer: KeySealer, logger: Logger): Promise<void> {
  const stale = await tx
    .select()
    .from(signingKeys)
    .where(
      or(
        isNotNull(signingKeys.privateJwk),
        sealer.kek === 'configured'
          ? sql`${signingKeys.sealedPrivateKey}->>'kek' = 'development'`
          : sql`false`,
      ),
    );
  for (const row of stale) {
    const sealedPrivateKey = sealJwk(sealer, row.kid, privateJwkOf(row, sealer));
    await tx
      .update(signingKeys)
      .set({ sealedPrivateKey, privateJwk: null })
      .where(eq(signingKeys.kid, row.kid));
  }
  if (stale.length > 0)
    logger.info({ keys: stale.length, kek: sealer.kek }, 'sealed signing keys stored unsealed');
}
