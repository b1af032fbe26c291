import { DomainError } from '@walletgraph/platform/errors';
import { describe, expect, it } from 'vitest';
import { createPasswordHasher, owaspScrypt, parseHash, type ScryptParams } from './passwords.ts';

// Cheap parameters keep the suite fast; one test below runs the real OWASP cost.
const fast: ScryptParams = { N: 2 ** 10, r: 8, p: 1, keyLength: 64, saltLength: 16 };

describe('password hashing', () => {
  it('uses OWASP parameters by default and records them in the hash', async () => {
    const hasher = await createPasswordHasher();
    const encoded = await hasher.hash('correct horse battery staple');
    expect(encoded).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(parseHash(encoded)?.params).toEqual(owaspScrypt);
    expect(await hasher.verify('correct horse battery staple', encoded)).toBe(true);
  }, 20_000);

  it('verifies the right password and refuses a wrong one', async () => {
    const hasher = await createPasswordHasher(fast);
    const encoded = await hasher.hash('correct horse battery staple');
    expect(await hasher.verify('correct horse battery staple', encoded)).toBe(true);
    expect(await hasher.verify('correct horse battery stapler', encoded)).toBe(false);
  });

  it('salts every hash', async () => {
    const hasher = await createPasswordHasher(fast);
    expect(await hasher.hash('same password here')).not.toBe(await hasher.hash('same password here'));
  });

  it('matches a password whatever its Unicode composition form', async () => {
    const hasher = await createPasswordHasher(fast);
    const encoded = await hasher.hash('caf\u00e9 au lait 1234');
    expect(await hasher.verify('cafe\u0301 au lait 1234', encoded)).toBe(true);
  });

  it('verifies hashes made with other parameters, and says they need a rehash', async () => {
    const old = await (await createPasswordHasher({ ...fast, N: 2 ** 11 })).hash('an older password');
    const hasher = await createPasswordHasher(fast);
    expect(await hasher.verify('an older password', old)).toBe(true);
    expect(hasher.needsRehash(old)).toBe(true);
    expect(hasher.needsRehash(await hasher.hash('a current password'))).toBe(false);
  });

  it('refuses malformed or out-of-bounds hashes instead of throwing', async () => {
    const hasher = await createPasswordHasher(fast);
    const good = await hasher.hash('some password here');
    const [, , r, p, salt, hash] = good.split('$');
    for (const bad of [
      '',
      'bcrypt$2b$10$abc',
      `scrypt$1000$${r}$${p}$${salt}$${hash}`,
      `scrypt$${2 ** 24}$${r}$${p}$${salt}$${hash}`,
      `scrypt$1024$0$${p}$${salt}$${hash}`,
      `scrypt$1024$${r}$${p}$$${hash}`,
    ]) {
      expect(await hasher.verify('some password here', bad)).toBe(false);
      expect(hasher.needsRehash(bad)).toBe(true);
    }
  });

  it('spends a full verification on the dummy hash and never matches', async () => {
    const hasher = await createPasswordHasher(fast);
    expect(await hasher.verifyDummy('any password at all')).toBe(false);
  });

  it('hashes at most `concurrency` at once, queues `queue` more, and refuses the rest with RATE_LIMITED', async () => {
    const hasher = await createPasswordHasher(fast, { concurrency: 2, queue: 3 });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) => hasher.hash(`burst password ${i}`)),
    );
    const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(5);
    expect(refused).toHaveLength(4);
    for (const error of refused) {
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'RATE_LIMITED', details: { retryAfterSeconds: 1 } });
    }
    // Refusals leave nothing behind: the pool serves the next burst in full.
    await expect(
      Promise.all([hasher.hash('after one'), hasher.verifyDummy('after two')]),
    ).resolves.toBeDefined();
  });
});
