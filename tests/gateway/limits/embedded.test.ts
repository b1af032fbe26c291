import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type GraphQLAnswer, postGraphQL } from '../../support/http.ts';
import { useEmbeddedStack } from '../../support/use-stack.ts';

const password = 'correct horse battery staple 42';
const newEmail = () => `limits.${randomBytes(4).toString('hex')}@example.com`;

const registerMutation = /* GraphQL */ `
  mutation ($input: RegisterInput!) {
    register(input: $input) { accessToken user { id } }
  }
`;
const loginMutation = /* GraphQL */ `
  mutation ($input: LoginInput!) {
    login(input: $input) { accessToken user { id } }
  }
`;
const meQuery = /* GraphQL */ '{ me { id } }';

/**
 * The limits through the whole supergraph: real sign-ins against identity, in embedded mode
 * (counters in memory). Each test is its own client address, 127.0.3.x, so tests do not share
 * counts; identity's per-account ceiling (lowered to 5 failures) is what shows whether an
 * attempt refused by the gateway ever reached identity.
 */
describe('gateway limits through the whole supergraph', () => {
  const stack = useEmbeddedStack({
    RATE_LIMIT_PER_ADDRESS: '1000',
    RATE_LIMIT_PER_USER: '4',
    LOGIN_FAILURES_PER_ADDRESS: '3',
    LOGIN_FAILURES_PER_ACCOUNT: '5',
  });

  async function register(from = '127.0.3.250') {
    const email = newEmail();
    const answer = await postGraphQL(
      stack.url,
      {
        query: registerMutation,
        variables: { input: { email, password, displayName: 'Ada', currency: 'EUR' } },
      },
      { from },
    );
    expect(answer.errors).toBeUndefined();
    return {
      email,
      token: answer.data.register.accessToken as string,
      id: answer.data.register.user.id as string,
    };
  }

  const login = (from: string, email: string, secret = password) =>
    postGraphQL(
      stack.url,
      { query: loginMutation, variables: { input: { email, password: secret } } },
      { from },
    );

  const expectSignedIn = (answer: GraphQLAnswer) => {
    expect(answer.status).toBe(200);
    expect(answer.errors).toBeUndefined();
    expect(answer.data.login.accessToken).toBeTruthy();
  };
  const expectInvalidCredentials = (answer: GraphQLAnswer) => {
    expect(answer.status).toBe(200);
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['INVALID_CREDENTIALS']);
  };
  const expectThrottled = (answer: GraphQLAnswer) => {
    expect(answer.status).toBe(429);
    expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_ATTEMPTS']);
  };

  describe('per user', () => {
    it('limits a signed-in user across every address they call from', async () => {
      const ada = await register();
      const as = { authorization: `Bearer ${ada.token}` };
      const answers = [];
      for (const from of ['127.0.3.1', '127.0.3.1', '127.0.3.2', '127.0.3.3', '127.0.3.4']) {
        answers.push(await postGraphQL(stack.url, { query: meQuery }, { from, headers: as }));
      }
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 429]);
      expect(answers[0]!.data.me.id).toBe(ada.id);
      expect(answers[4]!.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(Number(answers[4]!.headers['retry-after'])).toBeGreaterThan(0);

      const anonymous = await postGraphQL(stack.url, { query: meQuery }, { from: '127.0.3.4' });
      expect(anonymous.status).toBe(200);
      const grace = await register();
      const other = await postGraphQL(
        stack.url,
        { query: meQuery },
        { from: '127.0.3.4', headers: { authorization: `Bearer ${grace.token}` } },
      );
      expect(other.status).toBe(200);
    });

    it('never counts a user from a token that did not verify', async () => {
      const ada = await register();
      const [header, , signature] = ada.token.split('.');
      const claims = Buffer.from(JSON.stringify({ sub: ada.id, exp: 4_102_444_800 })).toString('base64url');
      const forged = { authorization: `Bearer ${header}.${claims}.${signature}` };
      for (let i = 0; i < 6; i++) {
        const answer = await postGraphQL(
          stack.url,
          { query: meQuery },
          { from: '127.0.3.10', headers: forged },
        );
        expect(answer.status).toBe(401);
      }
      const own = { authorization: `Bearer ${ada.token}` };
      for (let i = 0; i < 4; i++) {
        expect(
          (await postGraphQL(stack.url, { query: meQuery }, { from: '127.0.3.11', headers: own })).status,
        ).toBe(200);
      }
    });
  });

  describe('sign-in per address', () => {
    it('after 3 failures refuses even a fresh account’s correct credentials with 429, while another address signs in', async () => {
      const fresh = await register();
      for (let i = 0; i < 3; i++) expectInvalidCredentials(await login('127.0.3.20', newEmail()));
      const refused = await login('127.0.3.20', fresh.email);
      expectThrottled(refused);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(15 * 60 - 30);
      expectSignedIn(await login('127.0.3.21', fresh.email));
    });

    it('refuses before identity: refused guesses never count against the account', async () => {
      const victim = await register();
      for (let i = 0; i < 3; i++) expectInvalidCredentials(await login('127.0.3.22', newEmail()));
      // Identity refuses new addresses after 5 failures on an account; these never reach it.
      for (let i = 0; i < 6; i++) expectThrottled(await login('127.0.3.22', victim.email, `guess ${i}`));
      expectSignedIn(await login('127.0.3.23', victim.email));
    });

    it('counts identity’s own TOO_MANY_ATTEMPTS as a failure too', async () => {
      const victim = await register();
      // Identity's ceiling fills after 5 failures, made here from addresses of their own.
      for (const from of ['127.0.3.24', '127.0.3.24', '127.0.3.24', '127.0.3.26', '127.0.3.26']) {
        expectInvalidCredentials(await login(from, victim.email, 'a guess'));
      }
      for (let i = 0; i < 3; i++) {
        // Identity's refusal, with the gateway's HTTP form of it (429, Retry-After).
        expectThrottled(await login('127.0.3.25', victim.email, 'another guess'));
      }
      expectThrottled(await login('127.0.3.25', newEmail()));
    });

    it('does not reset the count on a successful sign-in, nor count the success', async () => {
      const mallory = await register();
      expectInvalidCredentials(await login('127.0.3.30', newEmail()));
      expectInvalidCredentials(await login('127.0.3.30', newEmail()));
      expectSignedIn(await login('127.0.3.30', mallory.email));
      expectInvalidCredentials(await login('127.0.3.30', newEmail()));
      expectThrottled(await login('127.0.3.30', mallory.email));
    });

    it('holds the limit under concurrent guesses: attempts in flight count', async () => {
      const answers = await Promise.all(
        Array.from({ length: 10 }, () => login('127.0.3.35', newEmail(), 'a guess')),
      );
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, ...Array(7).fill(429)]);
      expect(
        answers
          .filter((a) => a.status === 200)
          .every((a) => a.errors?.[0]?.extensions?.code === 'INVALID_CREDENTIALS'),
      ).toBe(true);
    });

    it('refuses an operation with several logins whole, before anything runs or counts', async () => {
      const ada = await register();
      const guess = (alias: string, secret: string) =>
        `${alias}: login(input: { email: "${ada.email}", password: "${secret}" }) { accessToken }`;
      // One password hash per request (issue 10, item 2): refused by validation, nothing counted.
      const two = await postGraphQL(
        stack.url,
        { query: `mutation { ${guess('a', 'g1')} ${guess('b', 'g2')} }` },
        { from: '127.0.3.40' },
      );
      expect(two.status).toBe(400);
      expect(two.errors?.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      for (let i = 0; i < 3; i++) expectInvalidCredentials(await login('127.0.3.40', newEmail()));
      expectThrottled(await login('127.0.3.40', ada.email));
    });
  });
});
