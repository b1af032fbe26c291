export { createGatewayApollo, type GatewayApolloOptions } from './apollo.ts';
export { buildGatewayContext, type GatewayContext } from './context.ts';
export { type CreateGatewayOptions, createGateway, type Gateway, type SubgraphSource } from './gateway.ts';
export {
  type AttemptThrottleOptions,
  createAttemptThrottle,
  registrationAttempts,
  signInAttempts,
} from './limits/attempt-throttle.ts';
export { createMemoryCounterStore, type MemoryCounterStoreOptions } from './limits/memory-store.ts';
export { type RateLimitOptions, rateLimit } from './limits/rate-limit.ts';
export { createRedisCounterStore, type RedisCounterStoreOptions } from './limits/redis-store.ts';
export type { CounterStore, Hit, WindowLimit } from './limits/store.ts';
export { createArmor } from './plugins/armor.ts';
export {
  rejectSubscriptionsOverHttp,
  subscriptionOverHttpMessage,
} from './plugins/reject-http-subscriptions.ts';
export { type GatewayServer, type ServeGatewayOptions, serveGateway } from './server.ts';
