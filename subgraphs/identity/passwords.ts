import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@walletgraph/platform/errors';
import { BulkheadPolicy, isBulkheadRejectedError } from 'cockatiel';

/** scrypt cost parameters and sizes, all recorded in each encoded hash. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. Memory used is about 128 · N · r bytes. */
  N: number;
  r: number;
  p: number;
  keyLength: number;
  saltLength: number;
}

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB, roughly 0.2–0.5 s per hash). */
export const owaspScrypt: ScryptParams = { N: 2 ** 17, r: 8, p: 1, keyLength: 64, saltLength: 16 };

// Bounds on what a stored hash may ask for, so a corrupt row cannot make verification allocate
// gigabytes or spin for minutes.
const limits = { maxN: 2 ** 20, maxR: 32, maxP: 16, maxKeyLength: 128 };

/**
 * How many hashes one process computes at once, and how many more may wait: each takes 128 MiB
 * and a few hundred milliseconds of a libuv thread (4 by default), so without a bound a burst
 * of sign-ins queues without end behind the thread pool and holds its memory. Past the queue a
 * request is refused at once with RATE_LIMITED and a Retry-After, before any work.
 */
export interface HashingPool {
  concurrency: number;
  queue: number;
}

/** Matches libuv's default thread pool; a waiting list of four rounds. */
export const defaultHashingPool: HashingPool = { concurrency: 4, queue: 16 };

/** A client-safe refusal when the pool and its queue are full: one hash's time is a fair wait. */
const hashingBusy = () =>
  new DomainError('RATE_LIMITED', 'too many password checks in progress; try again in a moment', {
    retryAfterSeconds: 1,
  });

export interface PasswordHasher {
  // Every method that hashes runs in the bounded pool and throws RATE_LIMITED when it is full.
  /** Hashes a password into `scrypt$N$r$p$<salt>$<hash>` (base64url salt and hash). */
  hash(password: string): Promise<string>;
  /** Whether the password matches the encoded hash; false for a malformed hash. */
  verify(password: string, encoded: string): Promise<boolean>;
  /**
   * Spends what `verify` spends, against a hash no password matches. For sign-ins with an
   * unknown email, so they take as long as a wrong password and reveal nothing.
   */
  verifyDummy(password: string): Promise<false>;
  /** Whether a stored hash was made with other parameters than the current ones. */
  needsRehash(encoded: string): boolean;
}

interface ParsedHash {
  params: ScryptParams;
  salt: Buffer;
  hash: Buffer;
}

/** Runs on the libuv thread pool, so hashing never blocks the event loop. */
function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  const options: ScryptOptions = {
    N: params.N,
    r: params.r,
    p: params.p,
    // Node refuses when 128·N·r exceeds maxmem (default 32 MiB); leave headroom above it.
    maxmem: 256 * params.N * params.r,
  };
  // Unicode normalisation (NIST 800-63B §5.1.1.2): the same password typed on another
  // keyboard or OS may arrive in another composition form.
  const input = password.normalize('NFKC');
  return new Promise((resolve, reject) => {
    scrypt(input, salt, params.keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function encode(params: ScryptParams, salt: Buffer, hash: Buffer): string {
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

/** Parses an encoded hash; null when it is not one this module could have written. */
export function parseHash(encoded: string): ParsedHash | null {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((n) => (/^\d{1,8}$/.test(n!) ? Number(n) : Number.NaN)) as [
    number,
    number,
    number,
  ];
  const salt = Buffer.from(parts[4]!, 'base64url');
  const hash = Buffer.from(parts[5]!, 'base64url');
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > limits.maxN || !(r >= 1 && r <= limits.maxR) || !(p >= 1 && p <= limits.maxP))
    return null;
  if (salt.length === 0 || hash.length === 0 || hash.length > limits.maxKeyLength) return null;
  return { params: { N, r, p, keyLength: hash.length, saltLength: salt.length }, salt, hash };
}

/**
 * Creates the password hasher. Precomputes the dummy hash `verifyDummy` checks against, with
 * the same parameters as real hashes, so both paths cost the same.
 */
export async function createPasswordHasher(
  params: ScryptParams = owaspScrypt,
  pool: HashingPool = defaultHashingPool,
): Promise<PasswordHasher> {
  const bulkhead = new BulkheadPolicy(pool.concurrency, pool.queue);
  /** `derive` in the pool: RATE_LIMITED (a DomainError) when it is full. */
  async function pooled(password: string, salt: Buffer, hashParams: ScryptParams): Promise<Buffer> {
    try {
      return await bulkhead.execute(() => derive(password, salt, hashParams));
    } catch (error) {
      if (isBulkheadRejectedError(error)) throw hashingBusy();
      throw error;
    }
  }

  async function hash(password: string): Promise<string> {
    const salt = randomBytes(params.saltLength);
    return encode(params, salt, await pooled(password, salt, params));
  }

  async function verify(password: string, encoded: string): Promise<boolean> {
    const parsed = parseHash(encoded);
    if (!parsed) return false;
    const candidate = await pooled(password, parsed.salt, parsed.params);
    return timingSafeEqual(candidate, parsed.hash);
  }

  const dummy = await hash(randomBytes(32).toString('base64url'));

  return {
    hash,
    verify,
    async verifyDummy(password) {
      await verify(password, dummy);
      return false;
    },
    needsRehash(encoded) {
      const parsed = parseHash(encoded);
      if (!parsed) return true;
      const current = parsed.params;
      return (
        current.N !== params.N ||
        current.r !== params.r ||
        current.p !== params.p ||
        current.keyLength !== params.keyLength ||
        current.saltLength !== params.saltLength
      );
    },
  };
}
