import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseId } from '@walletgraph/platform/ids';
import { moneyView } from '@walletgraph/platform/money';
import { type LiveNotice, type LiveTopic, userChannel } from '@walletgraph/platform/pubsub';
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import type { PubSubEngine } from 'graphql-subscriptions';
import { type ChargeEvent, isOverBudget, meterEvents, overBudgetError } from './event-budget.ts';
import { openFeed } from './feed.ts';
import { lookup, type RunQuery } from './lookup.ts';

/** The public API schema, as `pnpm compose` wrote it beside the supergraph. */
export const apiSchemaFile = join(import.meta.dirname, '../../api-schema.graphql');

/** What every subscription resolver receives: the socket's verified subscriber. */
export interface SubscriptionContext {
  userId: string;
  /** Reads an event's objects through the supergraph with the subscriber's token. */
  run: RunQuery;
  engine: PubSubEngine;
  queueSize: number;
  /** Charges each event of this subscription to the subscriber's budget before it is read (event-budget.ts). */
  chargeEvent: ChargeEvent;
}

/**
 * Each Subscription field: its live topic, and the argument that narrows it to one object
 * (matched against the notice's id). The channel always comes from the verified subscriber.
 */
const topics: Record<LiveTopic, { arg: string | null; noticeId: string | null; coalesce: boolean }> = {
  balanceChanged: { arg: 'walletId', noticeId: 'walletId', coalesce: true },
  operationUpdated: { arg: 'id', noticeId: 'id', coalesce: false },
  jarUpdated: { arg: 'jarId', noticeId: 'jarId', coalesce: true },
  goalAchieved: { arg: null, noticeId: null, coalesce: false },
  budgetAlert: { arg: null, noticeId: null, coalesce: false },
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

const money = (minor: string | null | undefined, currency: string | null | undefined) =>
  minor != null && currency ? local(moneyView(BigInt(minor), currency)) : null;

/**
 * The schema the graphql-ws server executes subscriptions against: the public API schema, whose
 * Subscription fields listen to the subscriber's own Redis channel, and whose payload objects
 * (a wallet, an operation, a jar) are read through the supergraph for each event as the
 * subscriber, with the client's own selection (lookupQuery).
 */
export function createSubscriptionSchema(sdl = readFileSync(apiSchemaFile, 'utf8')): GraphQLSchema {
  const schema = buildSchema(sdl);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) field.resolve = byResponseKey;
  }
  const fields = (name: string) => {
    const type = schema.getType(name);
    if (!isObjectType(type)) throw new Error(`the API schema has no object type ${name}`);
    return type.getFields();
  };
  type Resolver = GraphQLFieldResolver<LiveNotice & { [LOCAL]?: true }, SubscriptionContext>;
  const set = (typeName: string, fieldName: string, resolve: Resolver) => {
    const field = fields(typeName)[fieldName];
    if (!field) throw new Error(`the API schema has no field ${typeName}.${fieldName}`);
    field.resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
  };

  for (const [topic, spec] of Object.entries(topics) as [LiveTopic, (typeof topics)[LiveTopic]][]) {
    const field = fields('Subscription')[topic];
    if (!field) throw new Error(`the API schema has no Subscription.${topic}`);
    field.subscribe = async (_: unknown, args: Record<string, unknown>, ctx: SubscriptionContext) => {
      const wanted = spec.arg ? (args[spec.arg] as string | null | undefined) : null;
      // An argument that names no id of ours matches no notice, as an id of someone else's does.
      const wantedId = wanted ? parseId(wanted) : null;
      const feed = await openFeed({
        engine: ctx.engine,
        channel: userChannel(ctx.userId, topic),
        accept: (notice) =>
          !wanted || (spec.noticeId !== null && wantedId !== null && notice[spec.noticeId] === wantedId),
        capacity: ctx.queueSize,
        ...(spec.coalesce && spec.noticeId
          ? { coalesceKey: (n: LiveNotice) => n[spec.noticeId!] ?? null }
          : {}),
      });
      return meterEvents(feed, ctx.chargeEvent);
    };
  }

  set('Subscription', 'balanceChanged', (notice) =>
    local({ notice, delta: money(notice.delta, notice.currency) }),
  );
  set('Subscription', 'operationUpdated', (notice, _, ctx, info) =>
    lookup(ctx.run, info, 'operation', notice.id!, notice),
  );
  set('Subscription', 'jarUpdated', (notice, _, ctx, info) =>
    lookup(ctx.run, info, 'jar', notice.jarId!, notice),
  );
  set('Subscription', 'goalAchieved', (notice) => local({ notice, achievedAt: notice.achievedAt }));
  set('Subscription', 'budgetAlert', (notice) =>
    local({
      notice,
      thresholdPercent: Number(notice.thresholdPercent),
      spent: money(notice.spent, notice.currency),
      limit: money(notice.limit, notice.currency),
    }),
  );

  const noticeOf = (source: unknown) => (source as { notice: LiveNotice }).notice;
  set('BalanceChange', 'wallet', (source, _, ctx, info) =>
    lookup(ctx.run, info, 'wallet', noticeOf(source).walletId!, noticeOf(source)),
  );
  set('BalanceChange', 'operation', (source, _, ctx, info) => {
    const notice = noticeOf(source);
    return notice.operationId ? lookup(ctx.run, info, 'operation', notice.operationId, notice) : null;
  });
  set('GoalAchievement', 'jar', (source, _, ctx, info) =>
    lookup(ctx.run, info, 'jar', noticeOf(source).jarId!, noticeOf(source)),
  );
  set('BudgetAlert', 'jar', (source, _, ctx, info) =>
    lookup(ctx.run, info, 'jar', noticeOf(source).jarId!, noticeOf(source)),
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
