import { singlePasswordField } from '@walletgraph/platform/graphql/root-fields';
import { defineSubgraph } from '@walletgraph/platform/subgraph';
import type { IdentityServices } from './context.ts';
import * as schema from './db/schema.ts';
import { liveFeedConsumer, mountLiveFeed } from './live-feed-service.ts';
import { mailerHandlers } from './mailer.ts';
import { resolvers } from './resolvers.ts';
import { createIdentityServices } from './services.ts';
import { counterpartiesConsumer } from './users.ts';

/** How long clients and proxies may cache the JWKS; a rotated-in key is published for longer than this before it signs. */
const JWKS_MAX_AGE_SECONDS = 300;

/**
 * The identity subgraph: users, credentials and sessions; `Query.me` and the auth mutations;
 * issues the access tokens every service verifies and publishes their keys at
 * `GET /.well-known/jwks.json`. Emits `identity.user_registered.v1`, `identity.user_updated.v1`,
 * `identity.email_verified.v1` and `identity.email_verification_requested.v1`, which its own
 * mailer consumes to send the code; consumes the wallet subgraph's new counterparty pairs to know who may see whom.
 * Keeps every user's live feed: stores the live notices all subgraphs write (`identity.live-feed`)
 * and serves them to the gateways at `GET /live-feed` (live-feed-service.ts).
 */
export const identitySubgraph = defineSubgraph<typeof schema, IdentityServices>({
  name: 'identity',
  dir: import.meta.dirname,
  resolvers,
  dbSchema: schema,
  // At its own port too: a request reaching identity directly hashes at most one password.
  validationRules: [singlePasswordField],
  // The consumer of every settlement it had for a moment: its queue goes (counterparties now
  // arrive once per pair, from the wallet subgraph).
  retiredConsumers: ['identity.transfer-counterparties'],
  consumers: (services) => [
    {
      name: 'identity.mailer',
      effectHandlers: mailerHandlers(services.mailer, services.logger, services.clock),
    },
    counterpartiesConsumer,
    liveFeedConsumer(services.liveFeed),
    {
      // Records each ended session where every gateway reads it, retried until Redis takes it.
      name: 'identity.session-revocations',
      effectHandlers: {
        async 'identity.sessions_revoked.v1'(event) {
          await services.revocations.revoke(event.data.userId, new Date(event.data.notBefore));
        },
      },
    },
  ],
  services: ({ config, db, logger, revocations, publisher }) =>
    createIdentityServices({ config, db: db.db, logger, revocations, publisher }),
  routes(router, services, viewerOf) {
    mountLiveFeed(router, services.liveFeed, viewerOf);
    router.get('/.well-known/jwks.json', (_req, res) => {
      res.set('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`).json(services.keys.jwks());
    });
  },
  async stopServices(services) {
    await services.stop();
  },
});
