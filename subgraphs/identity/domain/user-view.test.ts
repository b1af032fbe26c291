import { describe, expect, it } from 'vitest';
import type { UserRow } from '../db/schema.ts';
import { viewReferencedUser, viewUser } from './user-view.ts';

const otherId = '0195f3a0-0000-7000-8000-000000000002';

const user: UserRow = {
  id: '0195f3a0-0000-7000-8000-000000000001',
  email: 'ada@example.com',
  displayName: 'Ada',
  version: 1,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  emailVerifiedAt: null,
  shadow: false,
};

describe('viewUser', () => {
  it('shows the user everything about themself', () => {
    expect(viewUser(user, user.id)).toEqual({
      id: user.id,
      displayName: 'Ada',
      email: 'ada@example.com',
      createdAt: user.createdAt,
      emailVerified: false,
    });
  });

  it('shows another user only the id and display name', () => {
    expect(viewUser(user, otherId)).toEqual({
      id: user.id,
      displayName: 'Ada',
      email: null,
      createdAt: null,
      emailVerified: null,
    });
  });

  it('shows an anonymous caller only the id and display name', () => {
    expect(viewUser(user, null)).toMatchObject({ email: null, createdAt: null });
  });
});

describe('viewReferencedUser', () => {
  it('resolves a reference to the user themself, whatever they select', () => {
    expect(viewReferencedUser(user, user.id, new Set(['id', 'email', 'createdAt']))).toEqual(
      viewUser(user, user.id),
    );
  });

  it('resolves another user to their public profile when only public fields are selected', () => {
    expect(viewReferencedUser(user, otherId, new Set(['__typename', 'id', 'displayName']))).toEqual({
      id: user.id,
      displayName: 'Ada',
      email: null,
      createdAt: null,
      emailVerified: null,
    });
  });

  it.each([
    ['id', 'email'],
    ['displayName', 'createdAt'],
  ])(
    'resolves another user to null, as if there were none, when a private field is selected: %s, %s',
    (...selected) => {
      expect(viewReferencedUser(user, otherId, new Set(selected))).toBeNull();
    },
  );
});
