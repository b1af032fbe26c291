import { createEvent } from '@walletgraph/events';
import { createLogger } from '@walletgraph/platform/logger';
import { startMailCatcher } from '@walletgraph/platform/mail-catcher';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { emailVerifications, outbox } from '../db/schema.ts';
import { createMailer, mailerHandlers } from '../mailer.ts';
import { LOGIN, onlyError, registerUser } from './harness.ts';
import { useIdentityHarness } from './use-harness.ts';

const h = useIdentityHarness();
afterEach(() => {
  h.clock.reset();
});

const VERIFY =
  /* GraphQL */ 'mutation ($code: String!) { verifyEmail(code: $code) { id email emailVerified } }';
const REQUEST = /* GraphQL */ 'mutation { requestEmailVerification }';
const ME = /* GraphQL */ '{ me { email emailVerified } }';
const UPDATE =
  /* GraphQL */ 'mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { email } }';

/** The newest code the mailer was asked to send to `email`, as the mail would carry it. */
async function mailedCode(email: string): Promise<string> {
  const [row] = await h.db.db
    .select({ envelope: outbox.envelope })
    .from(outbox)
    .where(
      and(
        eq(outbox.type, 'identity.email_verification_requested.v1'),
        sql`${outbox.envelope}->'data'->>'email' = ${email}`,
      ),
    )
    .orderBy(desc(outbox.seq))
    .limit(1);
  if (!row) throw new Error(`no code mailed to ${email}`);
  return (row.envelope as { data: { code: string } }).data.code;
}

const eventsOf = async (type: string, userId: string) =>
  h.db.db
    .select({ envelope: outbox.envelope })
    .from(outbox)
    .where(and(eq(outbox.type, type), sql`${outbox.envelope}->>'aggregateId' = ${userId}`));

const wrongCode = (code: string) => String((Number(code) + 1) % 100_000_000).padStart(8, '0');

describe('email verification', () => {
  it('mails a code at registration; the right code proves the address once, and says so', async () => {
    const ada = await registerUser(h, { email: 'ada.v@example.com' });
    expect((await h.execute(ME, {}, ada.accessToken)).data.me).toEqual({
      email: 'ada.v@example.com',
      emailVerified: false,
    });
    const code = await mailedCode('ada.v@example.com');
    expect(code).toMatch(/^\d{8}$/);
    // Only the hash is kept.
    const [stored] = await h.db.db
      .select()
      .from(emailVerifications)
      .where(eq(emailVerifications.userId, ada.user.id));
    expect(JSON.stringify(stored)).not.toContain(code);

    const verified = await h.execute(
      VERIFY,
      { code: `${code.slice(0, 4)} ${code.slice(4)}` },
      ada.accessToken,
    );
    expect(verified.errors).toEqual([]);
    expect(verified.data.verifyEmail).toEqual({
      id: ada.user.id,
      email: 'ada.v@example.com',
      emailVerified: true,
    });
    expect(await eventsOf('identity.email_verified.v1', ada.user.id)).toHaveLength(1);
    // Single use.
    expect(onlyError(await h.execute(VERIFY, { code }, ada.accessToken))).toMatchObject({
      code: 'INVALID_VERIFICATION_CODE',
      field: 'code',
    });
    // Nothing awaits proof any more.
    expect((await h.execute(REQUEST, {}, ada.accessToken)).data.requestEmailVerification).toBe(false);
  });

  it('burns a code after 5 wrong tries: the right one is refused after that', async () => {
    const bob = await registerUser(h, { email: 'bob.v@example.com' });
    const code = await mailedCode('bob.v@example.com');
    for (let i = 0; i < 5; i++) {
      expect(onlyError(await h.execute(VERIFY, { code: wrongCode(code) }, bob.accessToken)).code).toBe(
        'INVALID_VERIFICATION_CODE',
      );
    }
    expect(onlyError(await h.execute(VERIFY, { code }, bob.accessToken)).code).toBe(
      'INVALID_VERIFICATION_CODE',
    );
    expect((await h.execute(ME, {}, bob.accessToken)).data.me.emailVerified).toBe(false);
  });

  it('refuses a code after 30 minutes', async () => {
    const cy = await registerUser(h, { email: 'cy.v@example.com' });
    const code = await mailedCode('cy.v@example.com');
    h.clock.advance(30 * 60);
    expect(onlyError(await h.execute(VERIFY, { code }, cy.accessToken)).code).toBe(
      'INVALID_VERIFICATION_CODE',
    );
  });

  it('sends a new code at most once a minute, and a new code replaces the old', async () => {
    const di = await registerUser(h, { email: 'di.v@example.com' });
    const first = await mailedCode('di.v@example.com');
    expect(onlyError(await h.execute(REQUEST, {}, di.accessToken))).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
    h.clock.advance(60);
    expect((await h.execute(REQUEST, {}, di.accessToken)).data.requestEmailVerification).toBe(true);
    const second = await mailedCode('di.v@example.com');
    if (second !== first) {
      expect(onlyError(await h.execute(VERIFY, { code: first }, di.accessToken)).code).toBe(
        'INVALID_VERIFICATION_CODE',
      );
    }
    expect((await h.execute(VERIFY, { code: second }, di.accessToken)).errors).toEqual([]);
  });

  it('moves to a new address only once it is proven, announcing both', async () => {
    const ed = await registerUser(h, { email: 'ed.old@example.com' });
    h.clock.advance(60); // One code a minute: registration just mailed one.
    const moved = await h.execute(UPDATE, { input: { email: 'Ed.New@example.com' } }, ed.accessToken);
    expect(moved.data.updateProfile).toEqual({ email: 'ed.old@example.com' });
    const code = await mailedCode('ed.new@example.com');
    const verified = await h.execute(VERIFY, { code }, ed.accessToken);
    expect(verified.data.verifyEmail).toMatchObject({ email: 'ed.new@example.com', emailVerified: true });
    const [updated] = await eventsOf('identity.user_updated.v1', ed.user.id);
    expect(updated?.envelope).toMatchObject({ data: { email: 'ed.new@example.com' } });
    const signIn = await h.execute(LOGIN, {
      input: { email: 'ed.new@example.com', password: 'analytical engine 1843' },
    });
    expect(signIn.errors).toEqual([]);
  });

  it('never hands one account another’s address: a move to a taken one fails at the proof', async () => {
    await registerUser(h, { email: 'fay.v@example.com' });
    const gus = await registerUser(h, { email: 'gus.v@example.com' });
    h.clock.advance(60);
    // Asking says nothing about whether the address is taken.
    expect(
      (await h.execute(UPDATE, { input: { email: 'fay.v@example.com' } }, gus.accessToken)).errors,
    ).toEqual([]);
    const code = await mailedCode('fay.v@example.com');
    // Only Fay receives the code; were Gus to have it, the address is still Fay's.
    expect(onlyError(await h.execute(VERIFY, { code }, gus.accessToken)).code).toBe('EMAIL_TAKEN');
    expect((await h.execute(ME, {}, gus.accessToken)).data.me.email).toBe('gus.v@example.com');
  });
});

describe('the mailer', () => {
  it('sends the code over SMTP, and drops one that expired on the way', async () => {
    const catcher = await startMailCatcher();
    const logger = createLogger('mailer-test', 'silent');
    const mailer = await createMailer({
      smtpUrl: catcher.url,
      from: 'walletgraph <no@example.test>',
      isProduction: false,
      logger,
    });
    try {
      const now = new Date();
      const handlers = mailerHandlers(mailer, logger, { now: () => now });
      const send = handlers['identity.email_verification_requested.v1']!;
      const request = (email: string, expiresAt: Date) =>
        createEvent(
          'identity.email_verification_requested.v1',
          {
            aggregateId: '0195f3a0-0000-7000-8000-000000000001',
            data: {
              userId: '0195f3a0-0000-7000-8000-000000000001',
              email,
              code: '12345678',
              expiresAt: expiresAt.toISOString(),
            },
          },
          { correlationId: 'mailer-test' },
        );
      await send(request('hal@example.com', new Date(now.getTime() + 60_000)));
      const mail = await catcher.waitFor('hal@example.com');
      expect(mail.subject).toBe('Your walletgraph code: 1234 5678');
      expect(mail.text).toContain('1234 5678');
      await send(request('ivy@example.com', new Date(now.getTime() - 1)));
      expect(catcher.mails().map((m) => m.to)).toEqual([['hal@example.com']]);
      // The holder of an address someone registered with again hears of it.
      await handlers['identity.address_reuse_attempted.v1']!(
        createEvent(
          'identity.address_reuse_attempted.v1',
          { aggregateId: 'jo@example.com', data: { email: 'jo@example.com' } },
          { correlationId: 'mailer-test' },
        ),
      );
      expect((await catcher.waitFor('jo@example.com')).subject).toBe(
        'Someone tried to create a walletgraph account with this address',
      );
    } finally {
      await mailer.close();
      await catcher.close();
    }
  });
});
