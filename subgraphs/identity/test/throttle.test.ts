import { DomainError } from '@walletgraph/platform/errors';
import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loginFailures, refreshTokens, signInAddresses } from '../db/schema.ts';
import { signInThrottles } from '../domain/throttle.ts';
import { pruneSignInRecords } from '../prune-sign-in-records.ts';
import { LOGIN, onlyError, registerUser } from './harness.ts';
import { useIdentityHarness } from './use-harness.ts';

/**
 * Who can slow whom down (issue: five wrong guesses from anyone used to refuse the owner's right
 * password for 15 minutes). Addresses are what the gateway passes on; the account ceiling is
 * lowered to 8 so spreading guesses over addresses reaches it quickly.
 */
const throttles = { ...signInThrottles, account: { limit: 8, windowSeconds: 15 * 60 } };
const password = 'analytical engine 1843';

const h = useIdentityHarness({ throttles });
afterEach(() => {
  h.clock.reset();
});

const login = (email: string, pw: string, from?: string) =>
  h.execute(LOGIN, { input: { email, password: pw } }, undefined, from);
const codeOf = async (answer: ReturnType<typeof login>) => {
  const result = await answer;
  return result.errors.length === 0 ? 'OK' : onlyError(result).code;
};

describe('sign-in throttling per account and address', () => {
  it('slows a guessing address down with growing delays, and only that address', async () => {
    await registerUser(h, { email: 'owner1@example.com' }, 'home-1');
    const guesses = [];
    for (let i = 0; i < 6; i++)
      guesses.push(await codeOf(login('owner1@example.com', `guess ${i}`, 'evil-1')));
    expect(guesses).toEqual([...Array<string>(5).fill('INVALID_CREDENTIALS'), 'TOO_MANY_ATTEMPTS']);
    const blocked = await login('owner1@example.com', password, 'evil-1');
    expect(onlyError(blocked)).toMatchObject({ code: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: 60 });
    // A first-time address elsewhere is not slowed down by the guesses: the right password works.
    expect(await codeOf(login('owner1@example.com', password, 'cafe-1'))).toBe('OK');
    // After the minute, one more guess; then two minutes.
    h.clock.advance(60);
    expect(await codeOf(login('owner1@example.com', 'guess 6', 'evil-1'))).toBe('INVALID_CREDENTIALS');
    expect(onlyError(await login('owner1@example.com', 'guess 7', 'evil-1'))).toMatchObject({
      code: 'TOO_MANY_ATTEMPTS',
      retryAfterSeconds: 120,
    });
  });

  it('refuses even the right password from a new address once the account ceiling is full, never from a known one', async () => {
    await registerUser(h, { email: 'owner2@example.com' }, 'home-2');
    // Eight addresses, one guess each: the account ceiling (8 here) is full.
    for (let i = 0; i < 8; i++) {
      expect(await codeOf(login('owner2@example.com', `spread guess ${i}`, `bot-${i}`))).toBe(
        'INVALID_CREDENTIALS',
      );
    }
    expect(await codeOf(login('owner2@example.com', password, 'new-place-2'))).toBe('TOO_MANY_ATTEMPTS');
    // The address the owner registered from is known: the right password goes through…
    expect(await codeOf(login('owner2@example.com', password, 'home-2'))).toBe('OK');
    // …and a wrong one from there is refused as throttled, after being checked.
    expect(await codeOf(login('owner2@example.com', 'wrong at home', 'home-2'))).toBe('TOO_MANY_ATTEMPTS');
    // An address the owner signed in from becomes known too.
    h.clock.advance(15 * 60);
    expect(await codeOf(login('owner2@example.com', password, 'office-2'))).toBe('OK');
    for (let i = 0; i < 8; i++) await login('owner2@example.com', `second wave ${i}`, `bot-${i}`);
    expect(await codeOf(login('owner2@example.com', password, 'office-2'))).toBe('OK');
    expect(await codeOf(login('owner2@example.com', password, 'new-place-2'))).toBe('TOO_MANY_ATTEMPTS');
  });

  it('forgets an address after 90 days without a sign-in from it', async () => {
    await registerUser(h, { email: 'owner3@example.com' }, 'home-3');
    h.clock.advance(91 * 24 * 3600);
    for (let i = 0; i < 8; i++) await login('owner3@example.com', `late guess ${i}`, `bot-${i}`);
    expect(await codeOf(login('owner3@example.com', password, 'home-3'))).toBe('TOO_MANY_ATTEMPTS');
  });

  it('throttles an unknown email exactly like an account, so a refusal says nothing', async () => {
    const ghost = [];
    for (let i = 0; i < 6; i++) ghost.push(await codeOf(login('ghost@example.com', `guess ${i}`, 'evil-4')));
    expect(ghost).toEqual([...Array<string>(5).fill('INVALID_CREDENTIALS'), 'TOO_MANY_ATTEMPTS']);
  });
});

describe('changePassword has its own counter', () => {
  const CHANGE = /* GraphQL */ `
    mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken } }
  `;
  const change = (token: string, currentPassword: string) =>
    h.execute(CHANGE, { input: { currentPassword, newPassword: 'difference engine 1822' } }, token, 'home-5');

  it('is not blocked by sign-in guesses, and its own guesses do not block sign-in', async () => {
    const { accessToken } = await registerUser(h, { email: 'owner5@example.com' }, 'home-5');
    for (let i = 0; i < 8; i++) await login('owner5@example.com', `guess ${i}`, `bot-5-${i % 2}`);
    // The account ceiling is full of others' guesses; a password change is not a sign-in.
    const wrong = [];
    for (let i = 0; i < 6; i++) wrong.push(onlyError(await change(accessToken, `not it ${i}`)).code);
    expect(wrong).toEqual([...Array<string>(5).fill('INVALID_CREDENTIALS'), 'TOO_MANY_ATTEMPTS']);
    expect(onlyError(await change(accessToken, password)).code).toBe('TOO_MANY_ATTEMPTS');
    // The stolen-token guesser never touched the sign-in counters of the owner's address.
    expect(await codeOf(login('owner5@example.com', password, 'home-5'))).toBe('OK');
  });
});

describe('pruning', () => {
  it('deletes attempts past the longest window, stale addresses and expired refresh tokens, nothing else', async () => {
    await registerUser(h, { email: 'owner6@example.com' }, 'home-6');
    await login('owner6@example.com', 'a guess', 'evil-6');
    const now = h.clock.now();
    const keyOf = (scope: 'pair' | 'account', key: string) =>
      and(eq(loginFailures.scope, scope), eq(loginFailures.key, key));
    const remaining = () =>
      h.db.db.select().from(loginFailures).where(keyOf('account', 'owner6@example.com'));
    await pruneSignInRecords(h.db.db, throttles, now);
    expect(await remaining()).toHaveLength(1);
    const later = new Date(now.getTime() + 15 * 60_000 + 1000);
    const pruned = await pruneSignInRecords(h.db.db, throttles, later);
    expect(pruned.loginFailures).toBeGreaterThanOrEqual(2);
    expect(await remaining()).toHaveLength(0);
    const muchLater = new Date(now.getTime() + 91 * 24 * 3600_000);
    await pruneSignInRecords(h.db.db, throttles, muchLater);
    expect(await h.db.db.select().from(signInAddresses).where(eq(signInAddresses.address, 'home-6'))).toEqual(
      [],
    );
    const tokensLeft = await h.db.db.select().from(refreshTokens);
    for (const token of tokensLeft) expect(token.expiresAt.getTime()).toBeGreaterThan(muchLater.getTime());
  });
});

describe('a full hashing pool', () => {
  it('answers RATE_LIMITED and counts no failure for an attempt it turned away', async () => {
    await registerUser(h, { email: 'owner7@example.com' }, 'home-7');
    // passwords.test.ts shows the pool refusing; here, what a sign-in does with the refusal.
    const verify = vi
      .spyOn(h.services.passwords, 'verify')
      .mockRejectedValueOnce(new DomainError('RATE_LIMITED', 'busy', { retryAfterSeconds: 1 }));
    try {
      const refused = await login('owner7@example.com', 'never checked', 'evil-7');
      expect(onlyError(refused)).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
    } finally {
      verify.mockRestore();
    }
    const held = await h.db.db
      .select()
      .from(loginFailures)
      .where(and(eq(loginFailures.scope, 'account'), eq(loginFailures.key, 'owner7@example.com')));
    expect(held).toEqual([]);
  });
});
