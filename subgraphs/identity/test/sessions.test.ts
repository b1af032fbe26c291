import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { credentials, refreshTokens } from '../db/schema.ts';
import { createPasswordHasher } from '../passwords.ts';
import { refreshTokenHash } from '../tokens.ts';
import { fastScrypt, LOGIN, onlyError, REFRESH, registerUser } from './harness.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();

afterEach(() => {
  h.clock.reset();
});

const password = 'analytical engine 1843';
const LOGOUT = /* GraphQL */ 'mutation Logout($token: String!) { logout(refreshToken: $token) }';
const LOGOUT_EVERYWHERE = /* GraphQL */ 'mutation { logoutEverywhere }';

async function tokenRow(token: string) {
  const [row] = await h.db.db
    .select()
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, refreshTokenHash(token)!));
  return row;
}

describe('login', () => {
  it('signs in with the password, whatever the email letter case', async () => {
    const { user } = await registerUser(h, { email: 'login@example.com' });
    const result = await h.execute(LOGIN, { input: { email: ' LOGIN@example.com', password } });
    expect(result.errors).toEqual([]);
    expect(result.data.login.user).toEqual({ id: user.id, email: 'login@example.com' });
    const me = await h.execute('{ me { id } }', {}, result.data.login.accessToken);
    expect(me.data.me).toEqual({ id: user.id });
  });

  it('answers a wrong password and an unknown email identically', async () => {
    await registerUser(h, { email: 'same@example.com' });
    const wrong = await h.execute(LOGIN, {
      input: { email: 'same@example.com', password: 'not the password' },
    });
    const unknown = await h.execute(LOGIN, { input: { email: 'nobody@example.com', password } });
    const malformed = await h.execute(LOGIN, { input: { email: 'nobody', password } });
    expect(onlyError(wrong)).toEqual({
      message: 'email or password is incorrect',
      code: 'INVALID_CREDENTIALS',
    });
    expect(onlyError(unknown)).toEqual(onlyError(wrong));
    expect(onlyError(malformed)).toEqual(onlyError(wrong));
  });

  it('slows one address down after 5 failures on an account, even with the right password, then lets it in', async () => {
    await registerUser(h, { email: 'target@example.com' });
    for (let i = 0; i < 5; i++) {
      const failed = await h.execute(LOGIN, {
        input: { email: 'target@example.com', password: `guess number ${i}` },
      });
      expect(onlyError(failed).code).toBe('INVALID_CREDENTIALS');
    }
    const blocked = await h.execute(LOGIN, { input: { email: 'Target@example.com', password } });
    expect(onlyError(blocked)).toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      retryAfterSeconds: expect.any(Number),
    });
    h.clock.advance(15 * 60);
    const allowed = await h.execute(LOGIN, { input: { email: 'target@example.com', password } });
    expect(allowed.errors).toEqual([]);
  });

  it('spends one full password verification whether the email is known, unknown or malformed', async () => {
    // Equal work is what makes the answers indistinguishable in timing too (no wall clock here:
    // the count of scrypt verifications is the measure).
    await registerUser(h, { email: 'timing@example.com' });
    const verify = vi.spyOn(h.services.passwords, 'verify');
    const dummy = vi.spyOn(h.services.passwords, 'verifyDummy');
    try {
      for (const email of ['timing@example.com', 'timing-ghost@example.com', 'not an email']) {
        verify.mockClear();
        dummy.mockClear();
        await h.execute(LOGIN, { input: { email, password: 'not the password' } });
        expect(verify.mock.calls.length + dummy.mock.calls.length, email).toBe(1);
      }
    } finally {
      verify.mockRestore();
      dummy.mockRestore();
    }
  });

  it('counts parallel guesses like sequential ones: a burst gets exactly 5 password checks', async () => {
    // Regression: each attempt used to check the window before any had recorded its failure, so
    // every guess of a parallel burst was checked against the password.
    for (const email of ['burst@example.com', 'burst-ghost@example.com']) {
      if (email === 'burst@example.com') await registerUser(h, { email });
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.execute(LOGIN, { input: { email, password: `parallel guess ${i}` } }),
        ),
      );
      const outcomes = results.map((r) => onlyError(r).code).sort();
      expect(outcomes).toEqual([
        ...Array<string>(5).fill('INVALID_CREDENTIALS'),
        ...Array<string>(7).fill('TOO_MANY_ATTEMPTS'),
      ]);
      expect(onlyError(await h.execute(LOGIN, { input: { email, password } })).code).toBe(
        'TOO_MANY_ATTEMPTS',
      );
    }
  });

  it('throttles unknown emails the same way, so blocking reveals nothing', async () => {
    for (let i = 0; i < 5; i++) await h.execute(LOGIN, { input: { email: 'ghost@example.com', password } });
    const blocked = await h.execute(LOGIN, { input: { email: 'ghost@example.com', password } });
    expect(onlyError(blocked).code).toBe('TOO_MANY_ATTEMPTS');
  });
});

describe('refreshSession', () => {
  it('rotates the refresh token: a new pair, the old one marked as replaced', async () => {
    const session = await registerUser(h, { email: 'rotate@example.com' });
    const result = await h.execute(REFRESH, { token: session.refreshToken });
    expect(result.errors).toEqual([]);
    const next = result.data.refreshSession;
    expect(next.user.id).toBe(session.user.id);
    expect(next.refreshToken).not.toBe(session.refreshToken);
    const old = await tokenRow(session.refreshToken);
    const fresh = await tokenRow(next.refreshToken);
    expect(old?.rotatedAt).toBeInstanceOf(Date);
    expect(old?.replacedBy).toBe(fresh?.id);
    expect(fresh?.familyId).toBe(old?.familyId);
  });

  it('revokes the whole family when a rotated token is presented again', async () => {
    const session = await registerUser(h, { email: 'stolen@example.com' });
    const first = (await h.execute(REFRESH, { token: session.refreshToken })).data.refreshSession;
    const reuse = await h.execute(REFRESH, { token: session.refreshToken });
    expect(onlyError(reuse).code).toBe('INVALID_REFRESH_TOKEN');
    // The legitimate holder's newest token is revoked with the family.
    const victim = await h.execute(REFRESH, { token: first.refreshToken });
    expect(onlyError(victim).code).toBe('INVALID_REFRESH_TOKEN');
    const family = await h.db.db
      .select()
      .from(refreshTokens)
      .where(eq(refreshTokens.familyId, (await tokenRow(first.refreshToken))!.familyId));
    expect(family.every((t) => t.revokedAt !== null)).toBe(true);
  });

  it('lets only one of two concurrent refreshes with one token through, and revokes the family', async () => {
    const session = await registerUser(h, { email: 'concurrent@example.com' });
    const results = await Promise.all([
      h.execute(REFRESH, { token: session.refreshToken }),
      h.execute(REFRESH, { token: session.refreshToken }),
    ]);
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    const winner = results.find((r) => r.errors.length === 0)!.data.refreshSession;
    expect(onlyError(await h.execute(REFRESH, { token: winner.refreshToken })).code).toBe(
      'INVALID_REFRESH_TOKEN',
    );
  });

  it('refuses an expired refresh token', async () => {
    const session = await registerUser(h, { email: 'expired@example.com' });
    h.clock.advance(30 * 24 * 3600);
    expect(onlyError(await h.execute(REFRESH, { token: session.refreshToken })).code).toBe(
      'INVALID_REFRESH_TOKEN',
    );
  });

  it('refuses tokens it never issued', async () => {
    for (const token of ['', 'garbage', 'A'.repeat(43)]) {
      expect(onlyError(await h.execute(REFRESH, { token })).code).toBe('INVALID_REFRESH_TOKEN');
    }
  });
});

describe('logout', () => {
  it('ends the session of a refresh token, once', async () => {
    const session = await registerUser(h, { email: 'logout@example.com' });
    expect((await h.execute(LOGOUT, { token: session.refreshToken })).data.logout).toBe(true);
    expect(onlyError(await h.execute(REFRESH, { token: session.refreshToken })).code).toBe(
      'INVALID_REFRESH_TOKEN',
    );
    expect((await h.execute(LOGOUT, { token: session.refreshToken })).data.logout).toBe(false);
  });

  it('leaves the user’s other sessions alone', async () => {
    const first = await registerUser(h, { email: 'two-devices@example.com' });
    const second = (await h.execute(LOGIN, { input: { email: 'two-devices@example.com', password } })).data
      .login;
    await h.execute(LOGOUT, { token: first.refreshToken });
    expect((await h.execute(REFRESH, { token: second.refreshToken })).errors).toEqual([]);
  });

  it('logoutEverywhere needs a signed-in user', async () => {
    expect(onlyError(await h.execute(LOGOUT_EVERYWHERE)).code).toBe('UNAUTHENTICATED');
  });

  it('logoutEverywhere ends every session of the user and no one else’s', async () => {
    const first = await registerUser(h, { email: 'everywhere@example.com' });
    const second = (await h.execute(LOGIN, { input: { email: 'everywhere@example.com', password } })).data
      .login;
    const bystander = await registerUser(h, { email: 'bystander@example.com' });
    expect((await h.execute(LOGOUT_EVERYWHERE, {}, second.accessToken)).data.logoutEverywhere).toBe(true);
    for (const token of [first.refreshToken, second.refreshToken]) {
      expect(onlyError(await h.execute(REFRESH, { token })).code).toBe('INVALID_REFRESH_TOKEN');
    }
    expect((await h.execute(REFRESH, { token: bystander.refreshToken })).errors).toEqual([]);
  });
});

describe('password hash upgrades', () => {
  it('rehashes a password stored with older scrypt parameters at the next sign-in', async () => {
    const { user } = await registerUser(h, { email: 'legacy@example.com' });
    const legacy = await (await createPasswordHasher({ ...fastScrypt, N: 2 ** 11 })).hash(password);
    await h.db.db.update(credentials).set({ passwordHash: legacy }).where(eq(credentials.userId, user.id));
    expect((await h.execute(LOGIN, { input: { email: 'legacy@example.com', password } })).errors).toEqual([]);
    const [stored] = await h.db.db.select().from(credentials).where(eq(credentials.userId, user.id));
    expect(stored?.passwordHash).toMatch(/^scrypt\$1024\$/);
    expect((await h.execute(LOGIN, { input: { email: 'legacy@example.com', password } })).errors).toEqual([]);
  });
});
