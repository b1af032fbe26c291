import { DomainError } from '@walletgraph/platform/errors';
import { DateTime } from '@walletgraph/platform/graphql/scalars';
import { changePassword, register, updateProfile } from './accounts.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { login, logout, logoutEverywhere, refreshSession } from './sessions.ts';
import { findUser } from './users.ts';

const ownerOnly = (field: string) =>
  new DomainError('FORBIDDEN', `User.${field} is visible only to the user themself`, {
    field: `User.${field}`,
  });

/** The GraphQL adapter: each resolver hands its arguments to one use case and returns its result. */
export const resolvers: Resolvers = {
  DateTime,
  Query: {
    me: (_, __, ctx) => (ctx.viewer ? findUser(ctx, ctx.viewer.userId) : null),
  },
  Mutation: {
    register: (_, args, ctx) => register(ctx, args.input),
    login: (_, args, ctx) => login(ctx, args.input),
    refreshSession: (_, args, ctx) => refreshSession(ctx, args.refreshToken),
    logout: (_, args, ctx) => logout(ctx, args.refreshToken),
    logoutEverywhere: (_, __, ctx) => logoutEverywhere(ctx),
    updateProfile: (_, args, ctx) => updateProfile(ctx, args.input),
    changePassword: (_, args, ctx) => changePassword(ctx, args.input),
  },
  User: {
    __resolveReference: (ref, ctx) => findUser(ctx, ref.id),
    email(user) {
      if (user.email === null) throw ownerOnly('email');
      return user.email;
    },
    createdAt(user) {
      if (user.createdAt === null) throw ownerOnly('createdAt');
      return user.createdAt;
    },
  },
};
