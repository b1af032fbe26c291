import { createEvent, uuidv7 } from '@walletgraph/events';
import { developmentSealer } from '@walletgraph/platform/auth/key-sealing';
import { createLogger } from '@walletgraph/platform/logger';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox, signingKeys } from '../db/schema.ts';
import { createSigningKeyStore } from '../signing-keys.ts';
import { counterpartiesConsumer } from '../users.ts';
import { LOGIN, onlyError, REFRESH, registerUser } from './harness.ts';
import { useIdentityHarness } from './use-harness.ts';

/** What identity's counterparties consumer does once `from` and `to` completed a transfer. */
async function completedTransfer(from: string, to: string) {
  const met = (viewerId: string, ownerId: string) =>
    createEvent(
      'wallet.counterparty_added.v1',
      { aggregateId: uuidv7(), data: { viewerId, walletId: uuidv7(), ownerId } },
      { correlationId: 'profile-test' },
    );
  const handle = counterpartiesConsumer.batchHandlers!['wallet.counterparty_added.v1']!;
  await h.db.db.transaction((tx) =>
    handle([met(from, to), met(to, from)], tx, {
      afterCommit: () => {},
      defer: () => {
        throw new Error('not deferred here');
      },
    }),
  );
}

const h = useIdentityHarness();

const UPDATE_PROFILE = /* GraphQL */ `
  mutation Update($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName email } }
`;
const CHANGE_PASSWORD = /* GraphQL */ `
  mutation Change($input: ChangePasswordInput!) { changePassword(input: $input) { accessToken refreshToken } }
`;
const ENTITIES = /* GraphQL */ `
  query Users($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id displayName } } }
`;
const ENTITY_EMAIL = /* GraphQL */ `
  query UserEmail($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { id email } } }
`;

async function updatedEvents(userId: string) {
  const rows = await h.db.db
    .select({ envelope: outbox.envelope })
    .from(outbox)
    .where(
      and(eq(outbox.type, 'identity.user_updated.v1'), sql`${outbox.envelope}->>'aggregateId' = ${userId}`),
    );
  return rows.map((r) => r.envelope);
}

describe('me', () => {
  it('is null without a token', async () => {
    expect((await h.execute('{ me { id } }')).data.me).toBeNull();
  });

  it('is the signed-in user, with every field', async () => {
    const { accessToken, user } = await registerUser(h, { email: 'me@example.com', displayName: 'Me' });
    const me = await h.execute('{ me { id email displayName createdAt } }', {}, accessToken);
    expect(me.data.me).toEqual({
      id: user.id,
      email: 'me@example.com',
      displayName: 'Me',
      createdAt: expect.any(String),
    });
  });
});

describe('User references from other subgraphs', () => {
  it('resolve to the public profile only for a counterparty: anyone else, and unknown ids, get null', async () => {
    const { user } = await registerUser(h, { email: 'public@example.com', displayName: 'Public' });
    const other = await registerUser(h, { email: 'viewer@example.com' });
    const reps = [
      { __typename: 'User', id: user.id },
      { __typename: 'User', id: 'not-a-uuid' },
    ];
    // Regression: any signed-in caller at identity's port could map any user id to a name.
    expect((await h.execute(ENTITIES, { reps }, other.accessToken)).data._entities).toEqual([null, null]);
    await completedTransfer(other.user.id, user.id);
    expect((await h.execute(ENTITIES, { reps }, other.accessToken)).data._entities).toEqual([
      { id: user.id, displayName: 'Public' },
      null,
    ]);
  });

  it('show the email and creation date only to the user themself: to another viewer the user is null, exactly like an unknown id', async () => {
    const owner = await registerUser(h, { email: 'private@example.com' });
    const other = await registerUser(h, { email: 'curious@example.com' });
    const reps = [
      { __typename: 'User', id: owner.user.id },
      { __typename: 'User', id: '00000000-0000-4000-8000-000000000000' },
    ];
    const own = await h.execute(ENTITY_EMAIL, { reps }, owner.accessToken);
    expect(own).toEqual({
      data: { _entities: [{ id: owner.user.id, email: 'private@example.com' }, null] },
      errors: [],
    });
    const privateSelections = [
      ENTITY_EMAIL,
      /* GraphQL */ `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on User { displayName createdAt } } }`,
      /* GraphQL */ `query ($reps: [_Any!]!) { _entities(representations: $reps) { ...Contact } }
        fragment Contact on User { id address: email }`,
    ];
    for (const query of privateSelections) {
      expect(await h.execute(query, { reps }, other.accessToken), query).toEqual({
        data: { _entities: [null, null] },
        errors: [],
      });
    }
  });

  it('resolve to null for an anonymous caller, known or not: no profile, no hint that the id is a user', async () => {
    const { user } = await registerUser(h, { email: 'hidden@example.com', displayName: 'Hidden' });
    for (const query of [ENTITIES, ENTITY_EMAIL]) {
      const result = await h.execute(query, {
        reps: [
          { __typename: 'User', id: user.id },
          { __typename: 'User', id: '00000000-0000-4000-8000-000000000000' },
        ],
      });
      expect(result).toEqual({ data: { _entities: [null, null] }, errors: [] });
    }
  });
});

describe('updateProfile', () => {
  it('needs a signed-in user', async () => {
    const result = await h.execute(UPDATE_PROFILE, { input: { displayName: 'Anyone' } });
    expect(onlyError(result).code).toBe('UNAUTHENTICATED');
  });

  it('changes the display name and announces it with user_updated in the same transaction', async () => {
    const { accessToken, user } = await registerUser(h, { email: 'rename@example.com', displayName: 'Old' });
    const result = await h.execute(UPDATE_PROFILE, { input: { displayName: '  New Name ' } }, accessToken);
    expect(result.data.updateProfile).toEqual({
      id: user.id,
      displayName: 'New Name',
      email: 'rename@example.com',
    });
    expect(await updatedEvents(user.id)).toEqual([
      expect.objectContaining({
        aggregateVersion: 2,
        data: { userId: user.id, email: 'rename@example.com', displayName: 'New Name' },
      }),
    ]);
  });

  it('announces nothing when nothing changes', async () => {
    const { accessToken, user } = await registerUser(h, {
      email: 'same-name@example.com',
      displayName: 'Same',
    });
    await h.execute(UPDATE_PROFILE, { input: { displayName: 'Same' } }, accessToken);
    await h.execute(UPDATE_PROFILE, { input: {} }, accessToken);
    expect(await updatedEvents(user.id)).toEqual([]);
  });

  it('refuses an empty display name naming input.displayName', async () => {
    const { accessToken } = await registerUser(h, { email: 'blank@example.com' });
    const result = await h.execute(UPDATE_PROFILE, { input: { displayName: ' ' } }, accessToken);
    expect(onlyError(result)).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.displayName' });
  });
});

describe('changePassword', () => {
  const current = 'analytical engine 1843';
  const next = 'difference engine 1822';

  it('refuses a wrong current password naming input.currentPassword', async () => {
    const { accessToken } = await registerUser(h, { email: 'forgetful@example.com' });
    const result = await h.execute(
      CHANGE_PASSWORD,
      { input: { currentPassword: 'wrong one', newPassword: next } },
      accessToken,
    );
    expect(onlyError(result)).toMatchObject({ code: 'INVALID_CREDENTIALS', field: 'input.currentPassword' });
  });

  it('refuses a weak new password naming input.newPassword', async () => {
    const { accessToken } = await registerUser(h, { email: 'lazy@example.com' });
    const result = await h.execute(
      CHANGE_PASSWORD,
      { input: { currentPassword: current, newPassword: '123456789012' } },
      accessToken,
    );
    expect(onlyError(result)).toMatchObject({ code: 'WEAK_PASSWORD', field: 'input.newPassword' });
  });

  it('switches passwords, ends every other session and returns a new one', async () => {
    const first = await registerUser(h, { email: 'careful@example.com' });
    const second = (await h.execute(LOGIN, { input: { email: 'careful@example.com', password: current } }))
      .data.login;
    const result = await h.execute(
      CHANGE_PASSWORD,
      { input: { currentPassword: current, newPassword: next } },
      first.accessToken,
    );
    expect(result.errors).toEqual([]);
    for (const token of [first.refreshToken, second.refreshToken]) {
      expect(onlyError(await h.execute(REFRESH, { token })).code).toBe('INVALID_REFRESH_TOKEN');
    }
    expect((await h.execute(REFRESH, { token: result.data.changePassword.refreshToken })).errors).toEqual([]);
    const withOld = await h.execute(LOGIN, { input: { email: 'careful@example.com', password: current } });
    expect(onlyError(withOld).code).toBe('INVALID_CREDENTIALS');
    const withNew = await h.execute(LOGIN, { input: { email: 'careful@example.com', password: next } });
    expect(withNew.errors).toEqual([]);
  });
});

describe('signing keys', () => {
  it('are created exactly once when replicas start together on an empty table', async () => {
    await h.db.db.delete(signingKeys);
    const logger = createLogger('identity-test', 'silent');
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        createSigningKeyStore({
          db: h.db.db,
          clock: h.clock,
          logger,
          accessTokenTtlSeconds: 900,
          sealer: developmentSealer,
        }),
      ),
    );
    for (const store of stores) store.stop();
    expect(await h.count(signingKeys)).toBe(1);
    expect(new Set(stores.map((s) => JSON.stringify(s.jwks())))).toHaveProperty('size', 1);
  });
});
