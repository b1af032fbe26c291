/**
 * Operator script: rotates the access-token signing key of the identity database.
 *
 *   node subgraphs/identity/rotate-key.ts [--publish-ahead-seconds 720]
 *
 * Reads the same configuration as the services (DATABASE_URL or IDENTITY_DATABASE_URL, and
 * SIGNING_KEY_ENCRYPTION_KEY, which seals the new key and must be the services' own). The new
 * key is published at once and starts signing after the lead time, which must outlast the
 * replicas' key reload (60 s) plus the verifiers' JWKS cache (10 min: JWKS_CACHE_MAX_AGE_MS in
 * platform/src/auth/verifier.ts, not the route's shorter HTTP max-age); the default does. With a
 * shorter one (0 in an emergency) verifiers fetch the JWKS again on the new key id, but refuse
 * it for up to 30 s after their last fetch. The old key keeps verifying until the last token it
 * signed has expired.
 */
import { parseArgs } from 'node:util';
import { systemClock } from '@walletgraph/platform/clock';
import { databaseUrl, loadConfig } from '@walletgraph/platform/config';
import { openDatabase } from '@walletgraph/platform/db/database';
import { createLogger } from '@walletgraph/platform/logger';
import * as schema from './db/schema.ts';
import { identitySubgraph } from './server.ts';
import { signingKeySealer } from './signing-key-sealing.ts';
import { createSigningKeyStore, DEFAULT_PUBLISH_AHEAD_SECONDS } from './signing-keys.ts';

const { values } = parseArgs({
  options: { 'publish-ahead-seconds': { type: 'string', default: String(DEFAULT_PUBLISH_AHEAD_SECONDS) } },
});
const publishAheadSeconds = Number(values['publish-ahead-seconds']);
if (!Number.isInteger(publishAheadSeconds) || publishAheadSeconds < 0) {
  console.error('--publish-ahead-seconds: a whole number of seconds, 0 or more');
  process.exit(2);
}

const config = loadConfig();
const logger = createLogger('identity-rotate-key');
// Embedded mode's database lives inside the running process; there is nothing to rotate from outside.
if (config.mode !== 'real' && !config.IDENTITY_DATABASE_URL) {
  console.error('DATABASE_URL or IDENTITY_DATABASE_URL: required to reach the identity database');
  process.exit(2);
}
const url = config.IDENTITY_DATABASE_URL ?? databaseUrl(config, 'identity');
const db = await openDatabase({
  name: 'identity',
  schema,
  migrationsFolder: identitySubgraph.db.migrationsFolder,
  logger,
  url,
});
try {
  const keys = await createSigningKeyStore({
    db: db.db,
    clock: systemClock,
    logger,
    accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    sealer: signingKeySealer(config, logger),
  });
  keys.stop();
  const { kid, activatesAt } = await keys.rotate({ publishAheadSeconds });
  console.log(`new signing key ${kid}: published now, signing from ${activatesAt.toISOString()}`);
} finally {
  await db.close();
}
