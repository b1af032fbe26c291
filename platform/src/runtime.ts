import { createTokenVerifier, type TokenVerifier } from './auth/verifier.ts';
import { type Config, jwksUrl } from './config.ts';
import type { Logger } from './logger.ts';
import { createAmqpBroker } from './messaging/amqp-broker.ts';
import type { Broker } from './messaging/broker.ts';
import { createInProcessBroker } from './messaging/in-process-broker.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { createPubSub, type PubSubHandle } from './pubsub.ts';
import { createRevocations, type Revocations } from './revocations.ts';

/**
 * The infrastructure a process shares between the services it runs: the message broker, the
 * live-update pub/sub, the token verifier and session revocations. Real mode connects to RabbitMQ and Redis; embedded
 * mode keeps both in memory, shared by every subgraph and the gateway of the one process.
 */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly broker: Broker;
  readonly pubsub: PubSubHandle;
  readonly verifier: TokenVerifier;
  /** Per-user session revocations: identity records them, the gateway enforces them. */
  readonly revocations: Revocations;
  /** The process's one metrics registry, served as `/metrics` (platform/src/metrics.ts). */
  readonly metrics: Metrics;
  close(): Promise<void>;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const broker =
    config.mode === 'real'
      ? await createAmqpBroker({
          url: config.AMQP_URL!,
          exchange: config.EVENTS_EXCHANGE,
          deliveryLimit: config.CONSUMER_DELIVERY_LIMIT,
          logger,
        })
      : createInProcessBroker({ logger });
  const pubsub = createPubSub({ ...(config.REDIS_URL ? { redisUrl: config.REDIS_URL } : {}), logger });
  const verifier = createTokenVerifier({
    jwksUrl: embeddedAwareJwksUrl(config),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
  return runtimeOver({ config, logger, broker, pubsub, verifier }, () =>
    Promise.allSettled([broker.close(), pubsub.close()]),
  );
}

/** What a process brings to its runtime: the rest (session revocations) is built over them. */
export type RuntimeParts = Omit<Runtime, 'revocations' | 'metrics' | 'close'> & { metrics?: Metrics };

/**
 * The runtime over `parts`, whichever broker, pub/sub and verifier they are (real, in memory, or
 * a test's): session revocations follow `parts.pubsub` under the events exchange's name. Closing
 * it stops the revocations, then runs `closeParts`.
 */
export function runtimeOver(parts: RuntimeParts, closeParts: () => Promise<unknown>): Runtime {
  const { config, logger, pubsub } = parts;
  const revocations = createRevocations({
    pubsub,
    prefix: config.EVENTS_EXCHANGE,
    tokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    logger,
  });
  return {
    ...parts,
    metrics: parts.metrics ?? createMetrics(),
    revocations,
    async close() {
      await revocations.close();
      await closeParts();
    },
  };
}

/** Embedded mode serves identity's JWKS on the gateway's one port. */
function embeddedAwareJwksUrl(config: Config): string {
  if (config.mode === 'embedded' && !config.JWKS_URL) {
    return `http://127.0.0.1:${config.GATEWAY_PORT}/.well-known/jwks.json`;
  }
  return jwksUrl(config);
}
