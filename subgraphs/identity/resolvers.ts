import { DateTime } from '@walletgraph/platform/graphql/scalars';
import { selectedFieldNames } from '@walletgraph/platform/graphql/selection';
import { requireViewer } from '@walletgraph/platform/subgraph';
import { changePassword, register, updateProfile } from './accounts.ts';
import type { Resolvers } from './generated/resolvers.ts';
import { liveCursor } from './live-feed-service.ts';
import { login, logout, logoutEverywhere, refreshSession } from './sessions.ts';
import { findUser } from './users.ts';
import { requestEmailVerification, verifyEmail } from './verification.ts';

/** The GraphQL adapter: each resolver hands its arguments to one use case and returns its result. */
export const resolvers: Resolvers = {
  DateTime,
  Query: {
    me: (_, __, ctx, info) =>
      ctx.viewer ? findUser(ctx, ctx.viewer.userId, selectedFieldNames(info)) : null,
    liveCursor: (_, __, ctx) => liveCursor(ctx.services.liveFeed, requireViewer(ctx).userId),
  },
  Mutation: {
    register: (_, args, ctx) => register(ctx, args.input),
    login: (_, args, ctx) => login(ctx, args.input),
    refreshSession: (_, args, ctx) => refreshSession(ctx, args.refreshToken),
    logout: (_, args, ctx) => logout(ctx, args.refreshToken),
    logoutEverywhere: (_, __, ctx) => logoutEverywhere(ctx),
    updateProfile: (_, args, ctx) => updateProfile(ctx, args.input),
    changePassword: (_, args, ctx) => changePassword(ctx, args.input),
    requestEmailVerification: (_, __, ctx) => requestEmailVerification(ctx),
    verifyEmail: (_, args, ctx) => verifyEmail(ctx, args.code),
  },
  User: {
    __resolveReference: (ref, ctx, info) => findUser(ctx, ref.id, selectedFieldNames(info)),
  },
};
