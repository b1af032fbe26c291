import { type SubgraphName, subgraphNames } from '@walletgraph/platform/config';
import { operationLimits } from '@walletgraph/platform/graphql/operation-limits';
import { waitFor } from '@walletgraph/platform/test/support/infra';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GraphQLAnswer, postGraphQL } from '../support/http.ts';
import { useRealStack } from '../support/use-stack.ts';
import {
  codes,
  endpoints,
  gql,
  LOGIN,
  newEmail,
  outcome,
  type Person,
  password,
  postRaw,
  type RawResponse,
  REFRESH,
  refusedToken,
  register,
  subgraphUrl,
  type Victim,
  victim,
} from './support.ts';
import {
  attackerKeyPair,
  claims,
  decodeJwt,
  type IdentitySigningKey,
  mintWithIdentityKey,
  readSigningKey,
  signEdDSA,
  signHS256,
  unsigned,
} from './tokens.ts';

/**
 * Authentication (docs/architecture.md §9): forged, tampered and mis-claimed access tokens against
 * the gateway and every subgraph port, refresh-token rotation and revocation, sign-in throttling,
 * and the gateway's limits on oversized operations.
 */

const stack = useRealStack();
let alice: Victim;
let mallory: Person;
let key: IdentitySigningKey;

beforeAll(async () => {
  [alice, mallory] = await Promise.all([victim(stack), register(stack, 'Mallory')]);
  key = await readSigningKey(stack);
}, 120_000);

/**
 * On each endpoint, a query that returns Alice's data to a token that passes as hers: what she
 * gets with her own token, and what an anonymous caller gets.
 */
function probeOf(name: 'gateway' | SubgraphName) {
  const wallet = { id: alice.walletId, name: 'Main' };
  switch (name) {
    case 'gateway':
      return {
        query: 'query ($w: ID!) { me { id email } wallet(id: $w) { id name } }',
        variables: { w: alice.walletId },
        alice: { me: { id: alice.userId, email: alice.email }, wallet },
        anonymous: { me: null, wallet: null },
      };
    case 'identity':
      return {
        query: '{ me { id email } }',
        variables: {},
        alice: { me: { id: alice.userId, email: alice.email } },
        anonymous: { me: null },
      };
    case 'wallet':
      return {
        query: 'query ($w: ID!) { wallet(id: $w) { id name } }',
        variables: { w: alice.walletId },
        alice: { wallet },
        anonymous: { wallet: null },
      };
    case 'jars':
      return {
        query: 'query ($j: ID!) { jar(id: $j) { id name } }',
        variables: { j: alice.jarId },
        alice: { jar: { id: alice.jarId, name: 'Income' } },
        anonymous: { jar: null },
      };
    case 'transactions':
      return {
        query: 'query ($o: ID!) { operation(id: $o) { id } }',
        variables: { o: alice.operationId },
        alice: { operation: { id: alice.operationId } },
        anonymous: { operation: null },
      };
    case 'ledger':
      return {
        query:
          'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Wallet { balance { total { amount } } } } }',
        variables: { r: [{ __typename: 'Wallet', id: alice.walletId }] },
        alice: { _entities: [{ balance: { total: { amount: '0.00' } } }] },
        anonymous: { _entities: [null] },
      };
  }
}

/** Sends each endpoint's probe with the given Authorization header value (undefined: none). */
async function probeEverywhere(authorization: string | undefined) {
  return Promise.all(
    endpoints(stack).map(async ({ name, url }) => {
      const { query, variables } = probeOf(name);
      const res = await gql(url, query, variables, authorization === undefined ? {} : { authorization });
      return { name, res };
    }),
  );
}

describe('access tokens, against the gateway and straight against every subgraph port', () => {
  it('Alice’s real token, and one minted with identity’s key and correct claims, reach her data everywhere', async () => {
    // The control: the forgeries below fail for what is wrong with them, not for how they are made.
    const minted = mintWithIdentityKey(key, claims(alice.userId));
    for (const token of [alice.accessToken, minted]) {
      for (const { name, res } of await probeEverywhere(`Bearer ${token}`)) {
        expect(outcome(res), name).toEqual({ status: 200, data: probeOf(name).alice, errors: undefined });
      }
    }
  });

  it('no token: fields that need one answer UNAUTHENTICATED (HTTP 200), reads answer null', async () => {
    const needsToken: [SubgraphName | 'gateway', string, string][] = [
      ['gateway', 'mutation { logoutEverywhere }', 'logoutEverywhere'],
      ['gateway', 'mutation { updateProfile(input: { displayName: "Anyone" }) { id } }', 'updateProfile'],
      [
        'gateway',
        `mutation { changePassword(input: { currentPassword: "${password}", newPassword: "a brand new passphrase 7" }) { accessToken } }`,
        'changePassword',
      ],
      ['gateway', 'mutation { openWallet(input: { name: "Mine", currency: "EUR" }) { id } }', 'openWallet'],
      ['identity', 'mutation { logoutEverywhere }', 'logoutEverywhere'],
      ['identity', 'mutation { updateProfile(input: { displayName: "Anyone" }) { id } }', 'updateProfile'],
      ['wallet', 'mutation { openWallet(input: { name: "Mine", currency: "EUR" }) { id } }', 'openWallet'],
    ];
    for (const [name, query, field] of needsToken) {
      const url = name === 'gateway' ? stack.url : subgraphUrl(stack, name);
      expect(outcome(await gql(url, query)), `${name} ${field}`).toEqual({
        status: 200,
        data: null,
        errors: [{ message: 'authentication required', path: [field], code: 'UNAUTHENTICATED' }],
      });
    }
    for (const { name, res } of await probeEverywhere(undefined)) {
      expect(outcome(res), name).toEqual({ status: 200, data: probeOf(name).anonymous, errors: undefined });
    }
  });

  it('identity’s JWKS publishes the public half of its signing key and nothing else', async () => {
    const res = await fetch(new URL('/.well-known/jwks.json', subgraphUrl(stack, 'identity')));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      keys: [{ kty: 'OKP', crv: 'Ed25519', x: key.publicJwk.x, kid: key.kid, alg: 'EdDSA', use: 'sig' }],
    });
  });

  /** Every forged token claims to be Alice. */
  const forgeries: { title: string; authorization: () => string }[] = [
    {
      title: 'alg: none, no signature',
      authorization: () =>
        `Bearer ${unsigned({ header: { alg: 'none', typ: 'JWT' }, payload: claims(alice.userId) })}`,
    },
    {
      title: 'alg: none under the real kid',
      authorization: () =>
        `Bearer ${unsigned({ header: { alg: 'none', typ: 'JWT', kid: key.kid }, payload: claims(alice.userId) })}`,
    },
    {
      title: 'alg: none with the real signature of another token kept',
      authorization: () => {
        const real = decodeJwt(mallory.accessToken);
        return `Bearer ${unsigned({ header: { alg: 'none' }, payload: { ...real.payload, sub: alice.userId } })}${real.signature}`;
      },
    },
    {
      title: 'signed by Mallory’s own Ed25519 key, unknown kid',
      authorization: () =>
        `Bearer ${signEdDSA({ header: { alg: 'EdDSA', typ: 'JWT', kid: 'mallory-key-1' }, payload: claims(alice.userId) }, attackerKeyPair().privateKey)}`,
    },
    {
      title: 'signed by Mallory’s own Ed25519 key under the real kid',
      authorization: () =>
        `Bearer ${signEdDSA({ header: { alg: 'EdDSA', typ: 'JWT', kid: key.kid }, payload: claims(alice.userId) }, attackerKeyPair().privateKey)}`,
    },
    {
      title: 'signed by Mallory’s own Ed25519 key, no kid',
      authorization: () =>
        `Bearer ${signEdDSA({ header: { alg: 'EdDSA', typ: 'JWT' }, payload: claims(alice.userId) }, attackerKeyPair().privateKey)}`,
    },
    {
      title: 'signed by Mallory’s own key, which the header embeds as its jwk (and a jku to fetch it from)',
      authorization: () => {
        const pair = attackerKeyPair();
        return `Bearer ${signEdDSA(
          {
            header: {
              alg: 'EdDSA',
              typ: 'JWT',
              kid: 'mallory-key-2',
              jwk: { ...pair.publicJwk, kid: 'mallory-key-2' },
              jku: 'http://127.0.0.1:9/jwks.json',
            },
            payload: claims(alice.userId),
          },
          pair.privateKey,
        )}`;
      },
    },
    {
      title: 'Mallory’s real token with the payload’s sub changed to Alice, signature kept',
      authorization: () => {
        const real = decodeJwt(mallory.accessToken);
        const [header] = mallory.accessToken.split('.');
        const payload = Buffer.from(JSON.stringify({ ...real.payload, sub: alice.userId })).toString(
          'base64url',
        );
        return `Bearer ${header}.${payload}.${real.signature}`;
      },
    },
    {
      title: 'Mallory’s real token with its expiry pushed a year out, signature kept',
      authorization: () => {
        const real = decodeJwt(mallory.accessToken);
        const [header] = mallory.accessToken.split('.');
        const exp = (real.payload.exp as number) + 365 * 24 * 3600;
        const payload = Buffer.from(JSON.stringify({ ...real.payload, exp })).toString('base64url');
        return `Bearer ${header}.${payload}.${real.signature}`;
      },
    },
    ...(['x', 'json', 'pem'] as const).map((form) => ({
      title: `HS256 with the published public key as the secret (${form})`,
      authorization: () => {
        const jwk = key.publicJwk;
        const secret =
          form === 'x' ? String(jwk.x) : form === 'json' ? JSON.stringify(jwk) : publicKeyPem(key.publicJwk);
        return `Bearer ${signHS256({ header: { alg: 'HS256', typ: 'JWT', kid: key.kid }, payload: claims(alice.userId) }, secret)}`;
      },
    })),
    // Claims that are wrong or missing, in a token signed with identity's real key under its kid.
    ...(
      [
        ['expired an hour ago', { iat: now() - 4500, exp: now() - 3600 }],
        ['expired a minute ago (beyond the clock tolerance)', { iat: now() - 960, exp: now() - 60 }],
        ['not valid before an hour from now', { nbf: now() + 3600 }],
        ['the wrong iss', { iss: 'walletgraph-identity-staging' }],
        ['no iss', { iss: undefined }],
        ['the wrong aud', { aud: 'walletgraph-admin' }],
        ['no aud', { aud: undefined }],
        ['no sub', { sub: undefined }],
        ['a numeric sub', { sub: 42 }],
        ['no exp', { exp: undefined }],
        ['no iat', { iat: undefined }],
      ] as const
    ).map(([what, overrides]) => ({
      title: `identity’s real key and kid, but ${what}`,
      authorization: () => {
        // JSON drops the claims set to undefined.
        const payload = JSON.parse(JSON.stringify(claims(alice.userId, overrides)));
        return `Bearer ${mintWithIdentityKey(key, payload)}`;
      },
    })),
    { title: 'Authorization: Bearer (no token)', authorization: () => 'Bearer' },
    {
      title: 'Authorization: Basic with Alice’s credentials',
      authorization: () => `Basic ${b64(`${alice.email}:${password}`)}`,
    },
    { title: 'Authorization: Basic with a token', authorization: () => `Basic ${alice.accessToken}` },
    { title: 'Authorization: the token without a scheme', authorization: () => alice.accessToken },
    { title: 'Authorization: Token <token>', authorization: () => `Token ${alice.accessToken}` },
    {
      title: 'two tokens, comma-separated (Mallory’s then Alice’s)',
      authorization: () => `Bearer ${mallory.accessToken}, Bearer ${alice.accessToken}`,
    },
    {
      title: 'two tokens, space-separated',
      authorization: () => `Bearer ${mallory.accessToken} ${alice.accessToken}`,
    },
    {
      title: 'Bearer with trailing garbage after a real token',
      authorization: () => `Bearer ${alice.accessToken}!`,
    },
    { title: 'Bearer not-a-jwt', authorization: () => 'Bearer not-a-jwt' },
    { title: 'Bearer a.b.c', authorization: () => 'Bearer a.b.c' },
  ];

  it.each(forgeries)(
    '$title: 401 UNAUTHENTICATED from the gateway and every subgraph, no data',
    async (f) => {
      const answers = await probeEverywhere(f.authorization());
      expect(answers.map(({ name, res }) => ({ name, ...outcome(res) }))).toEqual(
        answers.map(({ name }) => ({ name, ...refusedToken, data: undefined })),
      );
    },
  );
});

const now = () => Math.floor(Date.now() / 1000);
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** The SPKI PEM of an Ed25519 public JWK. */
function publicKeyPem(jwk: Record<string, unknown>): string {
  const raw = Buffer.from(String(jwk.x), 'base64url');
  const der = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]);
  return `-----BEGIN PUBLIC KEY-----\n${der.toString('base64')}\n-----END PUBLIC KEY-----\n`;
}

// ---------------------------------------------------------------------------------- sessions

const LOGOUT = 'mutation ($t: String!) { logout(refreshToken: $t) }';
const ME = '{ me { id } }';

async function login(email: string, pw = password) {
  return gql(stack.url, LOGIN, { input: { email, password: pw } });
}

async function session(email: string, pw = password) {
  const res = await login(email, pw);
  expect(res.errors).toBeUndefined();
  return res.data.login as { accessToken: string; refreshToken: string; accessTokenExpiresAt: string };
}

const refresh = (token: string) => gql(stack.url, REFRESH, { t: token });
const me = (token: string) => gql(stack.url, ME, {}, { token });

/**
 * What `me` answers an access token once its sessions were revoked: the revocation reaches the
 * gateways through identity's outbox and Redis, so the token is refused within seconds, not at
 * once (README "Security"). Asserting either state right after the mutation would race it.
 */
const sessionEnded = {
  status: 401,
  data: undefined,
  errors: [{ message: 'the session was ended; sign in again', path: undefined, code: 'UNAUTHENTICATED' }],
};

async function refusedOnceRevoked(token: string) {
  return waitFor('the revoked access token to be refused', async () => {
    const answer = outcome(await me(token));
    return answer.status === 401 ? answer : undefined;
  });
}

const invalidRefresh = {
  status: 200,
  data: null,
  errors: [
    {
      message: 'refresh token is invalid or expired',
      path: ['refreshSession'],
      code: 'INVALID_REFRESH_TOKEN',
    },
  ],
};

describe('sessions, through the gateway', () => {
  it('access tokens live 15 minutes, as documented', async () => {
    const person = await register(stack, 'Grace');
    const { payload } = decodeJwt(person.accessToken);
    expect(payload).toMatchObject({ sub: person.userId, iss: 'walletgraph-identity', aud: 'walletgraph' });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
  });

  it('refresh-token reuse: the first refresh works; the old token again is refused and revokes the family', async () => {
    const carol = await register(stack, 'Carol');
    const first = await refresh(carol.refreshToken);
    expect(first.errors).toBeUndefined();
    const rotated = first.data.refreshSession;
    expect(rotated.user.id).toBe(carol.userId);
    expect(rotated.refreshToken).not.toBe(carol.refreshToken);

    expect(outcome(await refresh(carol.refreshToken))).toEqual(invalidRefresh);
    // The token the first refresh returned belongs to the same family: revoked with it.
    expect(outcome(await refresh(rotated.refreshToken))).toEqual(invalidRefresh);
    expect(outcome(await refresh(carol.refreshToken))).toEqual(invalidRefresh);
    // By design, access tokens already issued stay valid until they expire (15 minutes).
    expect((await me(rotated.accessToken)).data).toEqual({ me: { id: carol.userId } });
    expect((await me(carol.accessToken)).data).toEqual({ me: { id: carol.userId } });
  });

  it('refresh with garbage, an unknown token or an access token is INVALID_REFRESH_TOKEN', async () => {
    for (const token of ['', 'x', 'A'.repeat(43), mallory.accessToken, `${mallory.refreshToken}=`]) {
      expect(outcome(await refresh(token)), token).toEqual(invalidRefresh);
    }
  });

  it('logout ends just that session; its access token stays valid until it expires, by design', async () => {
    const dan = await register(stack, 'Dan');
    const other = await session(dan.email);
    const logout = await gql(stack.url, LOGOUT, { t: dan.refreshToken });
    expect(outcome(logout)).toEqual({ status: 200, data: { logout: true }, errors: undefined });
    expect(outcome(await refresh(dan.refreshToken))).toEqual(invalidRefresh);
    expect(outcome(await gql(stack.url, LOGOUT, { t: dan.refreshToken }))).toEqual({
      status: 200,
      data: { logout: false },
      errors: undefined,
    });
    // The other session is untouched.
    const next = await refresh(other.refreshToken);
    expect(next.errors).toBeUndefined();
    expect(next.data.refreshSession.user.id).toBe(dan.userId);
    expect((await me(dan.accessToken)).data).toEqual({ me: { id: dan.userId } });
  });

  it('Mallory cannot log Alice out without her refresh token', async () => {
    for (const t of ['A'.repeat(43), alice.accessToken, alice.userId]) {
      expect(outcome(await gql(stack.url, LOGOUT, { t }, { token: mallory.accessToken }))).toEqual({
        status: 200,
        data: { logout: false },
        errors: undefined,
      });
    }
  });

  it('logoutEverywhere revokes every session of the user: all their refresh tokens fail', async () => {
    const erin = await register(stack, 'Erin');
    const [a, b] = [await session(erin.email), await session(erin.email)];
    const bystander = await register(stack, 'Bystander');
    const res = await gql(stack.url, 'mutation { logoutEverywhere }', {}, { token: a.accessToken });
    expect(outcome(res)).toEqual({ status: 200, data: { logoutEverywhere: true }, errors: undefined });
    for (const token of [erin.refreshToken, a.refreshToken, b.refreshToken]) {
      expect(outcome(await refresh(token))).toEqual(invalidRefresh);
    }
    // Only Erin's: another user's session lives on.
    expect((await refresh(bystander.refreshToken)).errors).toBeUndefined();
    // The older access tokens are refused too once every gateway has heard (within seconds, as
    // the README says); signing in again works.
    expect(await refusedOnceRevoked(b.accessToken)).toEqual(sessionEnded);
    expect((await session(erin.email)).refreshToken).toMatch(/^[\w-]{43}$/);
  });

  it('changePassword revokes the other sessions, returns a live one, and retires the old password', async () => {
    const frank = await register(stack, 'Frank');
    const other = await session(frank.email);
    const newPassword = 'a brand new passphrase 7';
    const res = await gql(
      stack.url,
      'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken user { id } } }',
      { input: { currentPassword: password, newPassword } },
      { token: frank.accessToken },
    );
    expect(res.errors).toBeUndefined();
    const fresh = res.data.changePassword;
    for (const token of [frank.refreshToken, other.refreshToken]) {
      expect(outcome(await refresh(token))).toEqual(invalidRefresh);
    }
    expect((await refresh(fresh.refreshToken)).errors).toBeUndefined();
    expect(codes(await login(frank.email))).toEqual(['INVALID_CREDENTIALS']);
    expect((await login(frank.email, newPassword)).errors).toBeUndefined();
    // The other device's access token is refused once the gateways heard; the new session's lives.
    expect(await refusedOnceRevoked(other.accessToken)).toEqual(sessionEnded);
    expect((await me(fresh.accessToken)).data).toEqual({ me: { id: frank.userId } });
  });
});

// ------------------------------------------------------------------------------ brute force

/** What a sign-in attempt answered, reduced to what tells accounts apart. */
function attemptOutcome(res: RawResponse) {
  const error = res.errors?.[0];
  return {
    status: res.status,
    data: res.data,
    errors: res.errors?.length,
    message: error?.message,
    path: error?.path,
    code: error?.extensions?.code,
    retryAfter: typeof error?.extensions?.retryAfterSeconds,
  };
}

/** A sign-in from `from` (any 127.x.y.z is this machine, and a client address of its own). */
async function loginFrom(from: string, email: string, pw = password, headers: Record<string, string> = {}) {
  const answer = await postGraphQL(
    stack.url,
    { query: LOGIN, variables: { input: { email, password: pw } } },
    { from, headers },
  );
  return answer as RawResponse & { headers: GraphQLAnswer['headers'] };
}

async function guessSequence(email: string, from: string): Promise<ReturnType<typeof attemptOutcome>[]> {
  const answers = [];
  // Five wrong passwords (in varying letter case: one account), one more, then the right one.
  for (let i = 0; i < 6; i++) {
    const tried = i % 2 ? email.toUpperCase() : email;
    answers.push(attemptOutcome(await loginFrom(from, tried, `wrong guess number ${i}`)));
  }
  answers.push(attemptOutcome(await loginFrom(from, email, password)));
  return answers;
}

describe('brute force on sign-in', () => {
  const invalid = {
    status: 200,
    data: null,
    errors: 1,
    message: 'email or password is incorrect',
    path: ['login'],
    code: 'INVALID_CREDENTIALS',
    retryAfter: 'undefined',
  };
  const blocked = {
    status: 429,
    data: null,
    errors: 1,
    message: 'too many failed sign-in attempts; try again later',
    path: ['login'],
    code: 'TOO_MANY_ATTEMPTS',
    retryAfter: 'number',
  };

  it('slows an address down after 5 failures, even for the right password, identically for an unknown email; the owner is not locked out', async () => {
    // Registered from 127.0.0.1, like every account of this suite.
    const target = await register(stack, 'Heidi');
    const known = await guessSequence(target.email, '127.0.4.1');
    expect(known).toEqual([invalid, invalid, invalid, invalid, invalid, blocked, blocked]);
    const unknown = await guessSequence(newEmail('nobody'), '127.0.4.2');
    expect(unknown).toEqual(known);
    // Regression: five wrong guesses from anyone used to refuse the owner's right password for
    // 15 minutes. Now neither the owner's own address nor a first-time one is slowed down.
    expect(codes(await loginFrom('127.0.0.1', target.email))).toEqual([]);
    expect(codes(await loginFrom('127.0.4.3', target.email))).toEqual([]);
    // Throttling sign-in locks nobody out of a session they already hold.
    expect((await me(target.accessToken)).data).toEqual({ me: { id: target.userId } });
  });

  it('answers a throttled sign-in with 429 and Retry-After', async () => {
    const target = await register(stack, 'Grace');
    for (let i = 0; i < 5; i++) await loginFrom('127.0.4.8', target.email, `guess ${i}`);
    const refused = await loginFrom('127.0.4.8', target.email);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBe(refused.errors?.[0]?.extensions?.retryAfterSeconds);
  });

  it('counts a parallel burst like sequential guesses: exactly 5 are checked, the rest blocked', async () => {
    // Regression: every guess of a burst used to pass the throttle before any failure was recorded.
    const target = await register(stack, 'Ivan');
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => loginFrom('127.0.4.4', target.email, `parallel ${i}`)),
    );
    expect(burst.map((r) => codes(r)[0]).sort()).toEqual([
      ...Array<string>(5).fill('INVALID_CREDENTIALS'),
      ...Array<string>(3).fill('TOO_MANY_ATTEMPTS'),
    ]);
    expect(codes(await loginFrom('127.0.4.4', target.email))).toEqual(['TOO_MANY_ATTEMPTS']);
  });

  it('a client cannot claim another address: the gateway passes on only the one it saw', async () => {
    const target = await register(stack, 'Kim');
    for (let i = 0; i < 5; i++) await loginFrom('127.0.4.5', target.email, `guess ${i}`);
    // 127.0.0.1 is the owner's known address; saying so in the forwarded header changes nothing.
    const spoofed = await loginFrom('127.0.4.5', target.email, password, {
      'x-walletgraph-client-address': '127.0.0.1',
      'x-forwarded-for': '127.0.0.1',
    });
    expect(codes(spoofed)).toEqual(['TOO_MANY_ATTEMPTS']);
  });

  it('going straight to identity’s port is throttled too, and locks no one out through the gateway', async () => {
    const target = await register(stack, 'Leo');
    const direct = [];
    for (let i = 0; i < 6; i++) {
      const res = await gql(subgraphUrl(stack, 'identity'), LOGIN, {
        input: { email: target.email, password: `direct guess ${i}` },
      });
      direct.push(codes(res)[0]);
    }
    expect(direct).toEqual([
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'INVALID_CREDENTIALS',
      'TOO_MANY_ATTEMPTS',
    ]);
    expect(codes(await loginFrom('127.0.0.1', target.email))).toEqual([]);
  });

  it('aliased sign-ins in one request are refused whole: nothing is checked, nothing counted', async () => {
    const target = await register(stack, 'Judy');
    const aliases = Array.from(
      { length: 6 },
      (_, i) =>
        `a${i}: login(input: { email: "${target.email}", password: "aliased guess ${i}" }) { accessToken }`,
    ).join(' ');
    const refused = await gql(stack.url, `mutation { ${aliases} }`);
    expect(refused.status).toBe(400);
    expect(codes(refused)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    // At identity's own port as well.
    const direct = await gql(subgraphUrl(stack, 'identity'), `mutation { ${aliases} }`);
    expect(codes(direct)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    const next = [];
    for (let i = 0; i < 6; i++) next.push(codes(await loginFrom('127.0.4.6', target.email, `next ${i}`))[0]);
    expect(next).toEqual([...Array<string>(5).fill('INVALID_CREDENTIALS'), 'TOO_MANY_ATTEMPTS']);
  });
});

// -------------------------------------------------------------------- oversized operations

describe('oversized and over-deep operations, refused by the gateway before any subgraph', () => {
  /**
   * Each attack is an `updateProfile` mutation by Kim: had it reached identity, her display name
   * would have changed. It must still be "Kim" afterwards.
   */
  let kim: Person;
  beforeAll(async () => {
    kim = await register(stack, 'Kim');
  });

  const update = (selection: string) =>
    `mutation { updateProfile(input: { displayName: "Pwned" }) { ${selection} } }`;
  /** `wallets { jars { wallet { jars { … id } } } }`: 1 + 2n + 1 levels below updateProfile. */
  const deepSelection = (n: number) => `wallets { ${'jars { wallet { '.repeat(n)}id${' } }'.repeat(n)} }`;

  const validationFailed = (message: RegExp) => ({
    status: 400,
    data: undefined,
    errors: [{ message: expect.stringMatching(message), path: undefined, code: 'GRAPHQL_VALIDATION_FAILED' }],
  });

  const attacks: { title: string; send: () => Promise<RawResponse>; expected: unknown }[] = [
    {
      title: `depth ${operationLimits.maxDepth + 1} (limit ${operationLimits.maxDepth})`,
      // updateProfile(1) wallets(2) + 2·5 + id = 13
      send: () => gql(stack.url, update(deepSelection(5)), {}, { token: kim.accessToken }),
      expected: validationFailed(/^Syntax Error: Query depth limit of 12 exceeded, found 13\.$/),
    },
    {
      title: `${operationLimits.maxAliases + 1} aliases (limit ${operationLimits.maxAliases})`,
      send: () =>
        gql(
          stack.url,
          update(Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `a${i}: id`).join(' ')),
          {},
          { token: kim.accessToken },
        ),
      expected: validationFailed(/^Syntax Error: Aliases limit of 15 exceeded, found 16\.$/),
    },
    {
      title: `${operationLimits.maxAliases + 1} aliased mutations`,
      send: () =>
        gql(
          stack.url,
          `mutation { ${Array.from({ length: operationLimits.maxAliases + 1 }, (_, i) => `m${i}: updateProfile(input: { displayName: "Pwned" }) { id }`).join(' ')} }`,
          {},
          { token: kim.accessToken },
        ),
      expected: validationFailed(/^Syntax Error: Aliases limit of 15 exceeded, found 16\.$/),
    },
    {
      title: `${operationLimits.maxDirectives + 1} directives (limit ${operationLimits.maxDirectives})`,
      send: () =>
        gql(
          stack.url,
          update(
            Array.from({ length: operationLimits.maxDirectives + 1 }, () => 'id @skip(if: false)').join(' '),
          ),
          {},
          { token: kim.accessToken },
        ),
      expected: validationFailed(/^Syntax Error: Directives limit of 20 exceeded, found 21\.$/),
    },
    {
      title: `more than ${operationLimits.maxTokens} tokens`,
      send: () =>
        gql(stack.url, update('id '.repeat(operationLimits.maxTokens)), {}, { token: kim.accessToken }),
      expected: {
        status: 400,
        data: undefined,
        errors: [
          {
            // graphql-js's own wording, typo included.
            message: 'Syntax Error: Document contains more that 1000 tokens. Parsing aborted.',
            path: undefined,
            code: 'GRAPHQL_PARSE_FAILED',
          },
        ],
      },
    },
    {
      title: `cost over ${operationLimits.maxCost} (nested pagination)`,
      send: () =>
        gql(
          stack.url,
          update(
            'wallets { operations(first: 100) { edges { node { wallet { operations(first: 100) { edges { node { id } } } } } } } }',
          ),
          {},
          { token: kim.accessToken },
        ),
      expected: validationFailed(/^Query cost limit of 20000 exceeded, found \d+: /),
    },
    {
      title: `cost over ${operationLimits.maxCost} (nested pagination, page sizes as variables)`,
      send: () =>
        gql(
          stack.url,
          'mutation ($n: Int!) { updateProfile(input: { displayName: "Pwned" }) { wallets(first: $n) { operations(first: $n) { edges { node { wallet { operations(first: $n) { edges { node { id } } } } } } } } } }',
          { n: 100 },
          { token: kim.accessToken },
        ),
      expected: validationFailed(/^Query cost limit of 20000 exceeded, found \d+: /),
    },
    {
      title: 'a body over GATEWAY_BODY_LIMIT (100kb)',
      send: () => gql(stack.url, update('id'), { pad: 'x'.repeat(150_000) }, { token: kim.accessToken }),
      expected: {
        status: 413,
        data: undefined,
        errors: [{ message: 'request body too large', path: undefined, code: 'PAYLOAD_TOO_LARGE' }],
      },
    },
    {
      title: 'a batch of operations in one request',
      send: () =>
        postRaw(stack.url, JSON.stringify(Array.from({ length: 3 }, () => ({ query: update('id') }))), {
          'content-type': 'application/json',
          authorization: `Bearer ${kim.accessToken}`,
        }),
      expected: {
        status: 400,
        data: undefined,
        errors: [{ message: 'Operation batching disabled.', path: undefined, code: 'BAD_REQUEST' }],
      },
    },
  ];

  it.each(attacks)('$title', async (attack) => {
    expect(outcome(await attack.send())).toEqual(attack.expected);
    expect((await gql(stack.url, '{ me { displayName } }', {}, { token: kim.accessToken })).data).toEqual({
      me: { displayName: 'Kim' },
    });
  });

  it('the same mutation within every limit does reach identity (the control)', async () => {
    // Depth 12 through single objects: `wallets { jars { wallet { jars …` would multiply 50
    // wallets by 50 jars at each level, over the cost limit however few a user really has.
    const depth12 = `defaultWallet { ${'owner { defaultWallet { '.repeat(4)}owner { id }${' } }'.repeat(4)} }`;
    const res = await gql(
      stack.url,
      `mutation { updateProfile(input: { displayName: "Kim Again" }) { displayName ${depth12} } }`,
      {},
      { token: kim.accessToken },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data.updateProfile.displayName).toBe('Kim Again');
  });

  it('a subgraph port reached directly applies the same depth, alias and directive limits', async () => {
    // Regression: at a subgraph's own port, depth 16 and 40 aliases executed.
    const chain = (n: number) =>
      `wallet(id: $w) { ${'owner { defaultWallet { '.repeat(n)}id${' } }'.repeat(n)} }`;
    const walletPort = subgraphUrl(stack, 'wallet');
    const asAlice = { token: alice.accessToken };
    // Depth 1 + 2n + 1: 12 passes, 14 does not.
    const within = await gql(walletPort, `query ($w: ID!) { ${chain(5)} }`, { w: alice.walletId }, asAlice);
    expect(within.errors).toBeUndefined();
    const deep = await gql(walletPort, `query ($w: ID!) { ${chain(6)} }`, { w: alice.walletId }, asAlice);
    expect(deep.status).toBe(400);
    expect(codes(deep)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    for (const name of subgraphNames) {
      const aliases = Array.from(
        { length: operationLimits.maxAliases + 1 },
        (_, i) => `a${i}: _service { sdl }`,
      );
      const flood = await gql(subgraphUrl(stack, name), `{ ${aliases.join(' ')} }`, {}, asAlice);
      expect(flood.status, name).toBe(400);
      expect(codes(flood), name).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const directives = Array.from(
        { length: operationLimits.maxDirectives + 1 },
        () => '_service @skip(if: false) { sdl }',
      );
      const many = await gql(subgraphUrl(stack, name), `{ ${directives.join(' ')} }`, {}, asAlice);
      expect(codes(many), name).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    }
  });
});
