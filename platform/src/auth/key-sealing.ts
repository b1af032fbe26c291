import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * A secret as it rests in a database: AES-256-GCM under a key-encryption key (KEK) from
 * configuration, with a random 96-bit nonce per secret and the secret's id as associated data,
 * so a sealed value copied onto another row does not open there.
 */
export interface SealedSecret {
  /** Format version. 1: AES-256-GCM, 96-bit nonce, 128-bit tag, id as associated data. */
  v: 1;
  alg: 'A256GCM';
  /**
   * Which KEK sealed it: the configured one, or the development key, which is public (this
   * file), so a secret under it is as good as plaintext and is sealed again once a key is set.
   */
  kek: KekSource;
  /** base64url nonce, ciphertext and tag. */
  iv: string;
  ct: string;
  tag: string;
}

export type KekSource = 'configured' | 'development';

/** A sealed secret that does not open: another KEK sealed it, or it was altered. */
export class SealError extends Error {
  override name = 'SealError';
}

export interface KeySealer {
  readonly kek: KekSource;
  seal(id: string, plaintext: Uint8Array): SealedSecret;
  /** The plaintext; throws SealError unless this KEK sealed it for this id, unaltered. */
  open(id: string, sealed: SealedSecret): Buffer;
}

/** What a KEK is written as: 32 bytes as 64 hex digits, or as base64 / base64url. */
export const KEK_FORMAT = '32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)';

/** The 32 bytes of a KEK as configured, or null when it is not 32 bytes in either encoding. */
export function parseKek(value: string): Buffer | null {
  const bytes = /^[0-9a-f]{64}$/i.test(value)
    ? Buffer.from(value, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(value)
      ? Buffer.from(value, 'base64')
      : null;
  return bytes?.length === 32 ? bytes : null;
}

/** The development KEK: public by construction, for machines where none is configured. */
const DEVELOPMENT_KEK = createHash('sha256')
  .update('walletgraph development key-encryption key: public, never for production')
  .digest();

const b64 = (b: Buffer) => b.toString('base64url');

function sealerOf(key: Buffer, kek: KekSource): KeySealer {
  return {
    kek,
    seal(id, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(Buffer.from(id, 'utf8'));
      const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { v: 1, alg: 'A256GCM', kek, iv: b64(iv), ct: b64(ct), tag: b64(cipher.getAuthTag()) };
    },
    open(id, sealed) {
      if (sealed.v !== 1 || sealed.alg !== 'A256GCM') {
        throw new SealError(`${id}: unknown sealed format ${String(sealed.v)}/${String(sealed.alg)}`);
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(sealed.iv, 'base64url'));
        decipher.setAAD(Buffer.from(id, 'utf8'));
        decipher.setAuthTag(Buffer.from(sealed.tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(sealed.ct, 'base64url')), decipher.final()]);
      } catch {
        // GCM says only "unable to authenticate": the key is another, or the row was altered.
        throw new SealError(`${id}: does not open with this key-encryption key`);
      }
    },
  };
}

/** A sealer with a configured KEK (its 32 bytes; see `parseKek`). */
export function createKeySealer(kek: Buffer): KeySealer {
  if (kek.length !== 32) throw new RangeError('a key-encryption key is 32 bytes');
  return sealerOf(kek, 'configured');
}

/** The sealer of the public development KEK (see `SealedSecret.kek`). */
export const developmentSealer: KeySealer = sealerOf(DEVELOPMENT_KEK, 'development');
