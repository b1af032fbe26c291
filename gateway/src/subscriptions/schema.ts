import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError, toGraphQLError } from '@walletgraph/platform/errors';
import { parseId } from '@walletgraph/platform/ids';
import { feedChannel, readFeedCursor } from '@walletgraph/platform/live/feed';
import type { Logger } from '@walletgraph/platform/logger';
import { moneyView } from '@walletgraph/platform/money';
import { type LiveNotice, type LiveTopic, liveNoticeObjectId } from '@walletgraph/platform/pubsub';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import type { PubSubEngine } from 'graphql-subscriptions';
import { type ChargeEvent, isOverBudget, meterEvents, overBudgetError } from './event-budget.ts';
import { openFeed } from './feed.ts';
import type { ReadFeed } from './feed-source.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { lookup, type RunQuery } from './lookup.ts';
import { createNoticeReader } from './notices.ts';

/** The public API schema, as `pnpm compose` wrote it beside the supergraph. */
export const apiSchemaFile = join(import.meta.dirname, '../../api-schema.graphql');

/** What every subscription resolver receives: the socket's verified subscriber. */
export interface SubscriptionContext {
  userId: string;
  /** Reads an event's objects through the supergraph with the subscriber's token. */
  run: RunQuery;
  engine: PubSubEngine;
  /** Reads the subscriber's own live feed (identity), for `after:` and to fill holes. */
  readFeed: ReadFeed;
  /** Registers a call for each time the pub/sub connection came back after a loss. */
  onReconnected?: (listener: () => void) => () => void;
  queueSize: number;
  /** Charges each event of this subscription to the subscriber's budget before it is read (event-budget.ts). */
  chargeEvent: ChargeEvent;
  /** Where its events are counted (live-metrics.ts); cursors.ts counts each one it sends. */
  live: LiveMetrics;
}

/**
 * Each Subscription field: its live topic, the argument that narrows it to one object (matched
 * against the id of the object the notice is about, as the live-notice catalog names it), and
 * whether a slow client's waiting notices coalesce by that id. The channel always comes from the
 * verified subscriber.
 */
const topics: Record<LiveTopic, { arg: string | null; coalesce: boolean }> = {
  balanceChanged: { arg: 'walletId', coalesce: true },
  operationUpdated: { arg: 'id', coalesce: false },
  jarUpdated: { arg: 'jarId', coalesce: true },
  goalAchieved: { arg: null, coalesce: false },
  budgetAlert: { arg: null, coalesce: false },
};

/** Objects made here from a notice: their fields are read by name, not by the client's alias. */
const LOCAL = Symbol('local');
const local = <T extends object>(value: T) => ({ ...value, [LOCAL]: true });

/**
 * Fields of objects read through the supergraph are stored under the client's response keys
 * (aliases included), so each field reads its own key; objects built from a notice are read by
 * field name.
 */
const byResponseKey: GraphQLFieldResolver<Record<string | symbol, unknown>, unknown> = (
  source,
  _,
  __,
  info,
) => (source[LOCAL] ? source[info.fieldName] : source[String(info.path.key)]);

const money = (minor: string, currency: string) => local(moneyView(BigInt(minor), currency));

/**
 * The schema the graphql-ws server executes subscriptions against: the public API schema, whose
 * Subscription fields listen to the subscriber's own Redis channel, and whose payload objects
 * (a wallet, an operation, a jar) are read through the supergraph for each event as the
 * subscriber, with the client's own selection (lookupQuery).
 */
export function createSubscriptionSchema(options: { logger: Logger; sdl?: string }): GraphQLSchema {
  const schema = buildSchema(options.sdl ?? readFileSync(apiSchemaFile, 'utf8'));
  const readNotice = createNoticeReader(options.logger);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) field.resolve = byResponseKey;
  }
  const fields = (name: string) => {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`the API schema has no object type ${name}`);
    return type.getFields();
  };
  const set = (
    typeName: string,
    fieldName: string,
    resolve: GraphQLFieldResolver<never, SubscriptionContext>,
  ) => {
    const field = fields(typeName)[fieldName];
    if (!field) throw new Error(`the API schema has no field ${typeName}.${fieldName}`);
    field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  };
  /** A Subscription field's resolver: its source is a notice of its topic. */
  const on = <T extends LiveTopic>(
    topic: T,
    resolve: GraphQLFieldResolver<LiveNotice<T>, SubscriptionContext>,
  ) => set('Subscription', topic, resolve);
  /** A payload object's field: its source was made from a notice of `topic` (`local({ notice, … })`). */
  const under = <T extends LiveTopic>(
    _topic: T,
    typeName: string,
    fieldName: string,
    resolve: GraphQLFieldResolver<{ notice: LiveNotice<T> }, SubscriptionContext>,
  ) => set(typeName, fieldName, resolve);

  for (const [topic, spec] of Object.entries(topics) as [LiveTopic, (typeof topics)[LiveTopic]][]) {
    const field = fields('Subscription')[topic];
    if (!field) throw new Error(`the API schema has no Subscription.${topic}`);
    field.subscribe = async (_: unknown, args: Record<string, unknown>, ctx: SubscriptionContext) => {
      const wanted = spec.arg ? (args[spec.arg] as string | null | undefined) : null;
      // An argument that names no id of ours matches no notice, as an id of someone else's does.
      const wantedId = wanted ? parseId(wanted) : null;
      const objectId = (notice: LiveNotice) => liveNoticeObjectId(topic, notice);
      const after = typeof args.after === 'string' ? positionIn(ctx.userId, args.after) : null;
      const feed = await openFeed({
        engine: ctx.engine,
        channel: feedChannel(ctx.userId),
        topic,
        read: (entry) => ctx.live.noted(readNotice(topic, entry.notice), entry),
        accept: (notice) => !wanted || (wantedId !== null && objectId(notice) === wantedId),
        readPage: (position, limit) =>
          ctx.live.fromStore(ctx.readFeed(position, { topic, objectId: wantedId }, limit)),
        after,
        capacity: ctx.queueSize,
        ...(spec.coalesce ? { coalesceKey: objectId } : {}),
        ...(ctx.onReconnected ? { onReconnected: ctx.onReconnected } : {}),
      });
      return ctx.live.follow(topic, feed, meterEvents(feed, ctx.chargeEvent));
    };
  }

  on('balanceChanged', (notice) => local({ notice, delta: money(notice.delta, notice.currency) }));
  on('operationUpdated', (notice, _, ctx, info) => lookup(ctx.run, info, 'operation', notice.id, notice));
  on('jarUpdated', (notice, _, ctx, info) => lookup(ctx.run, info, 'jar', notice.jarId, notice));
  on('goalAchieved', (notice) => local({ notice, achievedAt: notice.achievedAt }));
  on('budgetAlert', (notice) =>
    local({
      notice,
      thresholdPercent: notice.thresholdPercent,
      spent: money(notice.spent, notice.currency),
      limit: money(notice.limit, notice.currency),
    }),
  );

  under('balanceChanged', 'BalanceChange', 'wallet', ({ notice }, _, ctx, info) =>
    lookup(ctx.run, info, 'wallet', notice.walletId, notice),
  );
  under('balanceChanged', 'BalanceChange', 'operation', ({ notice }, _, ctx, info) =>
    notice.operationId ? lookup(ctx.run, info, 'operation', notice.operationId, notice) : null,
  );
  under('goalAchieved', 'GoalAchievement', 'jar', ({ notice }, _, ctx, info) =>
    lookup(ctx.run, info, 'jar', notice.jarId, notice),
  );
  under('budgetAlert', 'BudgetAlert', 'jar', ({ notice }, _, ctx, info) =>
    lookup(ctx.run, info, 'jar', notice.jarId, notice),
  );
  // The event that found the subscriber's budget spent is answered with RATE_LIMITED, the last one.
  for (const field of Object.values(fields('Subscription'))) {
    const resolve = field.resolve!;
    field.resolve = (source, args, ctx, info) => {
      if (isOverBudget(source)) throw overBudgetError(source);
      return resolve(source, args, ctx, info);
    };
  }
  return schema;
}

/** The position an `after:` cursor names in the subscriber's feed, or BAD_USER_INPUT. */
function positionIn(userId: string, cursor: string): bigint {
  try {
    return readFeedCursor(userId, cursor);
  } catch (error) {
    throw error instanceof DomainError ? toGraphQLError(error) : error;
  }
}
