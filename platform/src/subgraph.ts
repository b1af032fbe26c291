import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import type { Request, Router } from 'express';

/** The HTTP request and router a subgraph's extra routes get (express). */
export type { Request as HttpRequest, Router as HttpRouter } from 'express';

import { type DocumentNode, parse, type ValidationRule } from 'graphql';
import type { Viewer } from './auth/verifier.ts';
import type { Config, SubgraphName } from './config.ts';
import type { ConsumerOptions } from './consumer.ts';
import type { Database, DatabaseHandle, Schema } from './db/database.ts';
import { unauthenticated } from './errors.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { FeedPublisher } from './pubsub.ts';
import type { Revocations } from './revocations.ts';

/** What every resolver of a subgraph receives as its context. */
export interface RequestContext<S extends Schema = Schema, Svc = unknown> {
  db: Database<S>;
  /** The verified caller, or null for an anonymous request. */
  viewer: Viewer | null;
  logger: Logger;
  correlationId: string;
  /**
   * The client's address as the gateway saw it (its IPv6 /64 for IPv6), from
   * CLIENT_ADDRESS_HEADER; absent when no gateway stands in front (a direct call, a test).
   * Only ever a throttling key, never an authorization: whoever reaches a subgraph's port
   * directly can send any value, and gains at most a throttle key of their choosing.
   */
  clientAddress?: string;
  services: Svc;
}

/** The header the gateway passes a client's address to subgraphs in. */
export const CLIENT_ADDRESS_HEADER = 'x-walletgraph-client-address';

/** The caller, or UNAUTHENTICATED. */
export function requireViewer(ctx: { viewer: Viewer | null }): Viewer {
  if (!ctx.viewer) throw unauthenticated();
  return ctx.viewer;
}

export type {
  BatchEventHandler,
  BatchEventHandlers,
  BatchHandlerContext,
  EventHandler,
  EventHandlers,
  HandlerContext,
} from './consumer.ts';

/**
 * A consumer as a subgraph declares it; the platform runs it (`createConsumer`, whose options
 * say what each field does).
 */
export interface ConsumerDefinition<S extends Schema>
  extends Pick<ConsumerOptions<S>, 'handlers' | 'batchHandlers' | 'effectHandlers' | 'topics' | 'batch'> {
  /** Consumer (and queue) name, conventionally `<subgraph>.<purpose>`. */
  name: string;
  /** Messages in flight for this consumer; default CONSUMER_PREFETCH. */
  prefetch?: number;
}

/** What a subgraph's services are built from, once per process. */
export interface ServiceDeps<S extends Schema> {
  config: Config;
  db: DatabaseHandle<S>;
  logger: Logger;
  /** Publishes stored live-feed entries (identity's feed writer). */
  publisher: FeedPublisher;
  /** Session revocations (revocations.ts): identity records them. */
  revocations: Revocations;
  /** The process's metrics registry, for a subgraph's own metrics (the ledger's entries, …). */
  metrics: Metrics;
}

/**
 * A subgraph, declared once in its `server.ts` and run by the platform in either mode:
 * its schema and resolvers, its database, the events it consumes, and any extra HTTP routes.
 */
export interface SubgraphDefinition<S extends Schema = Schema, Svc = unknown> {
  name: SubgraphName;
  typeDefs: DocumentNode;
  // biome-ignore lint/suspicious/noExplicitAny: resolver maps are typed per subgraph by codegen.
  resolvers: GraphQLResolverMap<any>;
  db: { schema: S; migrationsFolder: string };
  consumers?: (services: Svc) => ConsumerDefinition<S>[];
  /**
   * Names of consumers this subgraph had and has no more: their queues are deleted at every
   * start (`Broker.retireConsumer`), so the broker stops filling a queue nobody reads.
   */
  retiredConsumers?: readonly string[];
  /** Builds the subgraph's own long-lived services (key stores, loaders' sources, clocks). */
  services?: (deps: ServiceDeps<S>) => Promise<Svc> | Svc;
  /**
   * Extra HTTP routes beside /graphql (e.g. identity's JWKS); `viewerOf` verifies a request's
   * bearer token as /graphql does (null without one; rejects a bad one).
   */
  routes?: (router: Router, services: Svc, viewerOf: (req: Request) => Promise<Viewer | null>) => void;
  /** Validation rules beyond graphql-js's own that the subgraph's HTTP endpoint applies. */
  validationRules?: readonly ValidationRule[];
  /** Called on shutdown after consumers stop, before the database closes. */
  stopServices?: (services: Svc) => Promise<void>;
}

/**
 * What a subgraph's `server.ts` declares: the definition without what the folder convention
 * finds on its own (`schema.graphql` and `db/migrations/` in the subgraph's folder).
 */
export type SubgraphSpec<S extends Schema, Svc> = Omit<SubgraphDefinition<S, Svc>, 'typeDefs' | 'db'> & {
  /** The subgraph's folder (`import.meta.dirname`). */
  dir: string;
  /** The drizzle schema (`db/schema.ts`). */
  dbSchema: S;
};

/** Declares a subgraph: reads its `schema.graphql` and locates its migrations. */
export function defineSubgraph<S extends Schema, Svc = undefined>(
  spec: SubgraphSpec<S, Svc>,
): SubgraphDefinition<S, Svc> {
  const { dir, dbSchema, ...rest } = spec;
  return {
    ...rest,
    typeDefs: parse(readFileSync(join(dir, 'schema.graphql'), 'utf8')),
    db: { schema: dbSchema, migrationsFolder: join(dir, 'db/migrations') },
  };
}
