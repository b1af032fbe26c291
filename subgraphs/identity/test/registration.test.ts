import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { credentials, outbox, refreshTokens, users } from '../db/schema.ts';
import { LOGIN, onlyError, REGISTER, registerUser } from './harness.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();

/** Row counts of every table a registration writes. */
async function rows() {
  return {
    users: await h.count(users),
    credentials: await h.count(credentials),
    refreshTokens: await h.count(refreshTokens),
    outbox: await h.count(outbox),
  };
}

/** The user_registered envelope in the outbox for a user. */
async function registeredEvent(userId: string) {
  const [row] = await h.db.db
    .select({ envelope: outbox.envelope })
    .from(outbox)
    .where(
      and(
        eq(outbox.type, 'identity.user_registered.v1'),
        sql`${outbox.envelope}->>'aggregateId' = ${userId}`,
      ),
    );
  return row?.envelope;
}

describe('register', () => {
  it('creates the user, credentials, a session and the user_registered event together', async () => {
    const result = await h.execute(REGISTER, {
      input: {
        email: '  Ada@Example.COM ',
        password: 'analytical engine 1843',
        displayName: ' Ada ',
        currency: 'GBP',
      },
    });
    expect(result.errors).toEqual([]);
    const session = result.data.register;
    expect(session.user).toMatchObject({ email: 'ada@example.com', displayName: 'Ada' });
    // A random UUIDv4: a counterparty who sees the id learns nothing of when the user registered
    // (a UUIDv7 would carry the private createdAt in its first 48 bits).
    expect(session.user.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(session.refreshToken).toMatch(/^[\w-]{43}$/);

    expect(await registeredEvent(session.user.id)).toMatchObject({
      type: 'identity.user_registered.v1',
      aggregateType: 'User',
      aggregateId: session.user.id,
      data: { userId: session.user.id, email: 'ada@example.com', displayName: 'Ada', currency: 'GBP' },
    });
    const [credential] = await h.db.db
      .select()
      .from(credentials)
      .where(eq(credentials.userId, session.user.id));
    expect(credential?.passwordHash).toMatch(/^scrypt\$/);
    expect(credential?.passwordHash).not.toContain('analytical');
  });

  it('returns an access token the platform verifier accepts for the new user', async () => {
    const session = await registerUser(h, { email: 'babbage@example.com', displayName: 'Charles' });
    const me = await h.execute('{ me { id email } }', {}, session.accessToken);
    expect(me.data.me).toEqual({ id: session.user.id, email: 'babbage@example.com' });
  });

  it('opens the default wallet in USD when no currency is given', async () => {
    const session = await registerUser(h, { email: 'usd@example.com' });
    expect(await registeredEvent(session.user.id)).toMatchObject({ data: { currency: 'USD' } });
  });

  it('answers an address another account holds exactly as a new one, and mails the holder instead', async () => {
    // Regression: EMAIL_TAKEN, at once and without a hash, told anyone which addresses have accounts.
    const grace = await registerUser(h, { email: 'grace@example.com', password: 'the owner’s passphrase' });
    const result = await h.execute(REGISTER, {
      input: { email: 'GRACE@example.com', password: 'another long password', displayName: 'Grace' },
    });
    expect(result.errors).toEqual([]);
    const shadow = result.data.register;
    expect(Object.keys(shadow).sort()).toEqual(Object.keys(grace).sort());
    expect(shadow.user).toEqual({
      id: expect.any(String),
      email: 'grace@example.com',
      displayName: 'Grace',
      createdAt: expect.any(String),
    });
    expect(shadow.user.id).not.toBe(grace.user.id);
    // The holder is told, and no code goes to her address for the newcomer.
    const mails = await h.db.db
      .select({ type: outbox.type, envelope: outbox.envelope })
      .from(outbox)
      .where(sql`${outbox.envelope}->'data'->>'email' = 'grace@example.com'`);
    expect(mails.map((m) => m.type).sort()).toEqual([
      'identity.address_reuse_attempted.v1',
      'identity.email_verification_requested.v1',
      'identity.user_registered.v1',
      'identity.user_registered.v1',
    ]);
    // The address signs in to its holder only; the newcomer's password opens nothing.
    const signIn = (password: string) =>
      h.execute(LOGIN, { input: { email: 'grace@example.com', password } });
    expect((await signIn('the owner’s passphrase')).data.login.user.id).toBe(grace.user.id);
    expect(onlyError(await signIn('another long password')).code).toBe('INVALID_CREDENTIALS');
  });

  it('lets exactly one of several racing registrations of one email own it; the others are shadows', async () => {
    const results = await Promise.all(
      ['race@example.com', 'Race@example.com', 'RACE@example.com', 'race@Example.com'].map((email) =>
        h.execute(REGISTER, { input: { email, password: 'racing towards it', displayName: 'Racer' } }),
      ),
    );
    expect(results.map((r) => r.errors)).toEqual([[], [], [], []]);
    const accounts = await h.db.db
      .select({ shadow: users.shadow })
      .from(users)
      .where(eq(users.email, 'race@example.com'));
    expect(accounts.map((a) => a.shadow).sort()).toEqual([false, true, true, true]);
  });

  it('refuses a weak password with WEAK_PASSWORD, writing nothing', async () => {
    const before = await rows();
    const result = await h.execute(REGISTER, {
      input: { email: 'weak@example.com', password: 'password1234', displayName: 'Weak' },
    });
    expect(onlyError(result)).toMatchObject({
      code: 'WEAK_PASSWORD',
      field: 'input.password',
      reason: 'COMMON',
    });
    expect(await rows()).toEqual(before);
  });

  it.each([
    [{ email: 'not-an-email' }, 'input.email'],
    [{ displayName: '   ' }, 'input.displayName'],
    [{ currency: 'XYZ' }, 'input.currency'],
  ])('refuses %j with BAD_USER_INPUT naming %s', async (override, field) => {
    const before = await rows();
    const result = await h.execute(REGISTER, {
      input: {
        email: 'valid@example.com',
        password: 'a perfectly fine one',
        displayName: 'Valid',
        ...override,
      },
    });
    expect(onlyError(result)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await rows()).toEqual(before);
  });
});
