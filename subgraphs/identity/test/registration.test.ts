import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentials, outbox, refreshTokens, users } from '../db/schema.ts';
import { createIdentityHarness, type IdentityHarness, onlyError, REGISTER, registerUser } from './harness.ts';

let h: IdentityHarness;

beforeAll(async () => {
  h = await createIdentityHarness();
}, 30_000);

afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

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

  it('refuses an email already registered in another letter case, writing nothing', async () => {
    await registerUser(h, { email: 'grace@example.com' });
    const before = await rows();
    const result = await h.execute(REGISTER, {
      input: { email: 'GRACE@example.com', password: 'another long password', displayName: 'Grace' },
    });
    expect(onlyError(result)).toMatchObject({ code: 'EMAIL_TAKEN', field: 'input.email' });
    expect(await rows()).toEqual(before);
  });

  it('lets exactly one of several racing registrations of one email through', async () => {
    const before = await rows();
    const results = await Promise.all(
      ['race@example.com', 'Race@example.com', 'RACE@example.com', 'race@Example.com'].map((email) =>
        h.execute(REGISTER, { input: { email, password: 'racing towards it', displayName: 'Racer' } }),
      ),
    );
    const failures = results.filter((r) => r.errors.length > 0).map(onlyError);
    expect(results.length - failures.length).toBe(1);
    expect(failures.map((f) => f.code)).toEqual(['EMAIL_TAKEN', 'EMAIL_TAKEN', 'EMAIL_TAKEN']);
    const after = await rows();
    expect(after.users - before.users).toBe(1);
    // Its user_registered.v1 and the mail with its verification code.
    expect(after.outbox - before.outbox).toBe(2);
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
