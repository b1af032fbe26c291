import { createTokenVerifier, type TokenVerifier } from './auth/verifier.ts';
import { type Config, jwksUrl } from './config.ts';
import type { Logger } from './logger.ts';
import { createAmqpBroker } from './messaging/amqp-broker.ts';
import type { Broker } from './messaging/broker.ts';
import { createInProcessBroker } from './messaging/in-process-broker.ts';
import { createPubSub, type PubSubHandle } from './pubsub.ts';

/**
 * The infrastructure a process shares between the services it runs: the message broker, the
 * live-update pub/sub and the token verifier. Real mode connects to RabbitMQ and Redis; embedded
 * mode keeps both in memory, shared by every subgraph and the gateway of the one process.
 */
export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly broker: Broker;
  readonly pubsub: PubSubHandle;
  readonly verifier: TokenVerifier;
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
  return {
    config,
    logger,
    broker,
    pubsub,
    verifier,
    async close() {
      await Promise.allSettled([broker.close(), pubsub.close()]);
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
